/*
 * json.c - a small strict JSON parser (recursive descent) for run reports.
 */
#include "json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 64

typedef struct parser
{
	const char *s;
	const char *start;
	char	   *err;
	size_t		errlen;
	int			failed;
} parser;

static json *parse_value(parser *p, int depth);

static void
fail_at(parser *p, const char *what)
{
	int			line = 1;

	if (p->failed)
		return;
	p->failed = 1;
	for (const char *c = p->start; c < p->s; c++)
		line += *c == '\n';
	snprintf(p->err, p->errlen, "%s at line %d", what, line);
}

static void
skip_ws(parser *p)
{
	while (*p->s == ' ' || *p->s == '\t' || *p->s == '\n' || *p->s == '\r')
		p->s++;
}

static json *
new_node(parser *p, json_type type)
{
	json	   *j = calloc(1, sizeof(json));

	if (j == NULL)
		fail_at(p, "out of memory");
	else
		j->type = type;
	return j;
}

static int
hex4(const char *s, unsigned *out)
{
	unsigned	v = 0;

	for (int i = 0; i < 4; i++)
	{
		char		c = s[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned) (c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned) (c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned) (c - 'A' + 10);
		else
			return 0;
	}
	*out = v;
	return 1;
}

static char *
parse_string(parser *p)
{
	size_t		cap = 32,
				len = 0;
	char	   *out = malloc(cap);

	if (out == NULL)
	{
		fail_at(p, "out of memory");
		return NULL;
	}
	p->s++;						/* the opening quote */
	for (;;)
	{
		unsigned char c = (unsigned char) *p->s;
		unsigned	cp = 0;

		if (len + 8 > cap)
		{
			char	   *bigger = realloc(out, cap *= 2);

			if (bigger == NULL)
			{
				free(out);
				fail_at(p, "out of memory");
				return NULL;
			}
			out = bigger;
		}
		if (c == '"')
		{
			p->s++;
			break;
		}
		if (c < 0x20)
		{
			free(out);
			fail_at(p, c ? "control character in a string" : "unterminated string");
			return NULL;
		}
		if (c != '\\')
		{
			out[len++] = (char) c;
			p->s++;
			continue;
		}
		p->s++;
		switch (*p->s)
		{
			case '"':
			case '\\':
			case '/':
				out[len++] = *p->s;
				break;
			case 'b':
				out[len++] = '\b';
				break;
			case 'f':
				out[len++] = '\f';
				break;
			case 'n':
				out[len++] = '\n';
				break;
			case 'r':
				out[len++] = '\r';
				break;
			case 't':
				out[len++] = '\t';
				break;
			case 'u':
				if (!hex4(p->s + 1, &cp))
				{
					free(out);
					fail_at(p, "bad \\u escape");
					return NULL;
				}
				p->s += 4;
				if (cp >= 0xD800 && cp <= 0xDBFF && p->s[1] == '\\' && p->s[2] == 'u')
				{
					unsigned	lo;

					if (hex4(p->s + 3, &lo) && lo >= 0xDC00 && lo <= 0xDFFF)
					{
						cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
						p->s += 6;
					}
				}
				if (cp < 0x80)
					out[len++] = (char) cp;
				else if (cp < 0x800)
				{
					out[len++] = (char) (0xC0 | (cp >> 6));
					out[len++] = (char) (0x80 | (cp & 0x3F));
				}
				else if (cp < 0x10000)
				{
					out[len++] = (char) (0xE0 | (cp >> 12));
					out[len++] = (char) (0x80 | ((cp >> 6) & 0x3F));
					out[len++] = (char) (0x80 | (cp & 0x3F));
				}
				else
				{
					out[len++] = (char) (0xF0 | (cp >> 18));
					out[len++] = (char) (0x80 | ((cp >> 12) & 0x3F));
					out[len++] = (char) (0x80 | ((cp >> 6) & 0x3F));
					out[len++] = (char) (0x80 | (cp & 0x3F));
				}
				break;
			default:
				free(out);
				fail_at(p, "bad escape in a string");
				return NULL;
		}
		p->s++;
	}
	out[len] = '\0';
	return out;
}

static json *
parse_container(parser *p, int depth, int object)
{
	json	   *j = new_node(p, object ? JSON_OBJECT : JSON_ARRAY);
	json	  **tail;
	char		close = object ? '}' : ']';

	if (j == NULL)
		return NULL;
	tail = &j->child;
	p->s++;
	skip_ws(p);
	if (*p->s == close)
	{
		p->s++;
		return j;
	}
	for (;;)
	{
		char	   *key = NULL;
		json	   *v;

		skip_ws(p);
		if (object)
		{
			if (*p->s != '"')
			{
				fail_at(p, "expected a member name");
				break;
			}
			if ((key = parse_string(p)) == NULL)
				break;
			skip_ws(p);
			if (*p->s != ':')
			{
				free(key);
				fail_at(p, "expected ':'");
				break;
			}
			p->s++;
		}
		v = parse_value(p, depth + 1);
		if (v == NULL)
		{
			free(key);
			break;
		}
		v->key = key;
		*tail = v;
		tail = &v->next;
		skip_ws(p);
		if (*p->s == ',')
		{
			p->s++;
			continue;
		}
		if (*p->s == close)
		{
			p->s++;
			return j;
		}
		fail_at(p, object ? "expected ',' or '}'" : "expected ',' or ']'");
		break;
	}
	json_free(j);
	return NULL;
}

static json *
parse_value(parser *p, int depth)
{
	json	   *j;

	if (depth > MAX_DEPTH)
	{
		fail_at(p, "nested too deeply");
		return NULL;
	}
	skip_ws(p);
	switch (*p->s)
	{
		case '{':
			return parse_container(p, depth, 1);
		case '[':
			return parse_container(p, depth, 0);
		case '"':
			if ((j = new_node(p, JSON_STRING)) == NULL)
				return NULL;
			if ((j->string = parse_string(p)) == NULL)
			{
				free(j);
				return NULL;
			}
			return j;
		case 't':
		case 'f':
		case 'n':
			{
				static const char *const words[] = {"true", "false", "null"};

				for (int i = 0; i < 3; i++)
					if (strncmp(p->s, words[i], strlen(words[i])) == 0)
					{
						if ((j = new_node(p, i == 2 ? JSON_NULL : JSON_BOOL)) == NULL)
							return NULL;
						j->number = i == 0;
						p->s += strlen(words[i]);
						return j;
					}
				fail_at(p, "unexpected word");
				return NULL;
			}
		default:
			{
				char	   *end;
				double		v;

				if (*p->s != '-' && (*p->s < '0' || *p->s > '9'))
				{
					fail_at(p, *p->s ? "unexpected character" : "unexpected end of input");
					return NULL;
				}
				v = strtod(p->s, &end);
				if (end == p->s)
				{
					fail_at(p, "bad number");
					return NULL;
				}
				if ((j = new_node(p, JSON_NUMBER)) == NULL)
					return NULL;
				j->number = v;
				p->s = end;
				return j;
			}
	}
}

json *
json_parse(const char *text, char *err, size_t errlen)
{
	parser		p = {text, text, err, errlen, 0};
	json	   *root = parse_value(&p, 0);

	if (root == NULL)
		return NULL;
	skip_ws(&p);
	if (*p.s != '\0')
	{
		fail_at(&p, "text after the document");
		json_free(root);
		return NULL;
	}
	return root;
}

void
json_free(json *j)
{
	while (j)
	{
		json	   *next = j->next;

		json_free(j->child);
		free(j->string);
		free(j->key);
		free(j);
		j = next;
	}
}

const json *
json_get(const json *j, const char *key)
{
	if (j == NULL || j->type != JSON_OBJECT)
		return NULL;
	for (const json *m = j->child; m; m = m->next)
		if (strcmp(m->key, key) == 0)
			return m;
	return NULL;
}

const json *
json_at(const json *j, int i)
{
	if (j == NULL || j->type != JSON_ARRAY)
		return NULL;
	for (const json *e = j->child; e; e = e->next)
		if (i-- == 0)
			return e;
	return NULL;
}

int
json_len(const json *j)
{
	int			n = 0;

	if (j == NULL || (j->type != JSON_ARRAY && j->type != JSON_OBJECT))
		return 0;
	for (const json *e = j->child; e; e = e->next)
		n++;
	return n;
}

double
json_num(const json *j, double fallback)
{
	return j && (j->type == JSON_NUMBER || j->type == JSON_BOOL) ? j->number : fallback;
}

const char *
json_str(const json *j, const char *fallback)
{
	return j && j->type == JSON_STRING ? j->string : fallback;
}
