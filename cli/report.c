/*
 * report.c - tpchgen report: run reports (JSON) as one self-contained HTML
 * page or as Markdown tables.
 *
 * The page has inline CSS and SVG only: no script, no font, nothing fetched,
 * so it opens offline and can be mailed or attached as it is.  With two or
 * more runs, every run is compared with the first (A): per-query ratios of
 * the power test on a log scale, the metrics' ratios, and the settings that
 * differ.  Runs at different scale factors are compared all the same, under
 * a visible warning.
 */
#include "client.h"
#include "json.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_RUNS 16
#define NSTEPS 24				/* 22 queries, RF1, RF2 */
#define MAX_STREAMS 64
#define REPORT_FORMAT 1

typedef struct cell
{
	double		seconds;
	int			ok;				/* status "ok" */
	int			present;
	const char *status;
} cell;

typedef struct run_data
{
	const char *path;
	const char *label;
	json	   *doc;
	double		sf;
	int			streams;
	const json *settings;
	const char *version;
	double		power,
				throughput,
				qphh;
	int			valid;
	int			has_tput;
	/* [step][0] power, [step][s] throughput stream s */
	cell		t[NSTEPS][MAX_STREAMS + 1];
} run_data;

typedef struct report
{
	run_data	runs[MAX_RUNS];
	int			nruns;
	char		warnings[4][256];
	int			nwarnings;
} report;

static void
usage(FILE *out)
{
	fprintf(out,
			"Usage: %s report RUN.json [RUN2.json ...] [--html OUT.html] [--markdown OUT.md]\n"
			"Turn run reports of \"%s run --report\" into a self-contained HTML page (inline\n"
			"SVG charts, nothing fetched) and/or Markdown tables; with two or more runs, each\n"
			"is compared with the first. Without --html or --markdown, the Markdown goes to\n"
			"standard output.\n"
			"\n"
			"  --html FILE       write the HTML page to FILE\n"
			"  --markdown FILE   write the Markdown to FILE (- for standard output)\n"
			"\n"
			"Example: %s report before.json after.json --html compare.html\n",
			client_progname, client_progname, client_progname);
}

static char *
read_file(const char *path)
{
	FILE	   *f = fopen(path, "rb");
	char	   *buf;
	long		n;

	if (f == NULL)
		client_fail("could not open \"%s\": %s", path, strerror(errno));
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
		client_fail("could not read \"%s\": %s", path, strerror(errno));
	if (n > 64 * 1024 * 1024)
		client_fail("\"%s\" is not a run report (it is larger than 64 MiB)", path);
	buf = malloc((size_t) n + 1);
	if (buf == NULL)
		client_fail("out of memory");
	if (fread(buf, 1, (size_t) n, f) != (size_t) n)
		client_fail("could not read \"%s\": %s", path, strerror(errno));
	buf[n] = '\0';
	if (memchr(buf, '\0', (size_t) n))
		client_fail("\"%s\" is not a run report (it holds binary data)", path);
	fclose(f);
	return buf;
}

static void
take_step(cell *c, const json *s)
{
	if (s == NULL || s->type != JSON_OBJECT)
		return;
	c->present = 1;
	c->seconds = json_num(json_get(s, "seconds"), 0);
	c->status = json_str(json_get(s, "status"), "missing");
	c->ok = strcmp(c->status, "ok") == 0;
}

static void
take_stream(run_data *r, const json *st, int col)
{
	const json *qs = json_get(st, "queries");

	for (int i = 0; i < json_len(qs); i++)
	{
		const json *s = json_at(qs, i);
		int			q = (int) json_num(json_get(s, "query"), 0);

		if (q >= 1 && q <= 22)
			take_step(&r->t[q - 1][col], s);
	}
}

static void
load_run(run_data *r, const char *path)
{
	char		err[256];
	char	   *text = read_file(path);
	const json *v,
			   *m,
			   *tp;
	const char *slash = strrchr(path, '/');

	memset(r, 0, sizeof(*r));
	r->path = path;
	r->label = slash ? slash + 1 : path;
	r->doc = json_parse(text, err, sizeof(err));
	free(text);
	if (r->doc == NULL)
		client_fail("\"%s\" is not a run report: it is not JSON (%s)", path, err);
	if (strcmp(json_str(json_get(r->doc, "format"), ""), "tpchgen-run") != 0)
		client_fail("\"%s\" is not a run report of %s run (no \"format\": \"tpchgen-run\")",
					path, client_progname);
	v = json_get(r->doc, "format_version");
	if (json_num(v, -1) != REPORT_FORMAT)
		client_fail("\"%s\" is a run report of format version %g; this %s reads version %d",
					path, json_num(v, -1), client_progname, REPORT_FORMAT);
	r->sf = json_num(json_get(r->doc, "sf"), 0);
	r->streams = (int) json_num(json_get(r->doc, "streams"), 0);
	if (r->streams < 0 || r->streams > MAX_STREAMS)
		client_fail("\"%s\": %d streams is more than this report reads (%d)", path, r->streams,
					MAX_STREAMS);
	r->version = json_str(json_get(json_get(r->doc, "server"), "version"), "?");
	r->settings = json_get(json_get(r->doc, "server"), "settings");
	m = json_get(r->doc, "metrics");
	r->power = json_num(json_get(m, "power_at_size"), 0);
	r->throughput = json_num(json_get(m, "throughput_at_size"), 0);
	r->qphh = json_num(json_get(m, "qphh_at_size"), 0);
	r->valid = json_num(json_get(m, "valid"), 0) != 0;
	take_stream(r, json_get(json_get(r->doc, "power"), "stream"), 0);
	take_step(&r->t[22][0], json_get(json_get(r->doc, "power"), "rf1"));
	take_step(&r->t[23][0], json_get(json_get(r->doc, "power"), "rf2"));
	tp = json_get(r->doc, "throughput");
	r->has_tput = tp != NULL;
	for (int s = 0; s < r->streams && tp; s++)
	{
		const json *pair = json_at(json_get(tp, "refresh"), s);

		take_stream(r, json_at(json_get(tp, "streams"), s), s + 1);
		take_step(&r->t[22][s + 1], json_get(pair, "rf1"));
		take_step(&r->t[23][s + 1], json_get(pair, "rf2"));
	}
}

static const char *
step_name(int i, char *buf)
{
	if (i < 22)
		sprintf(buf, "Q%d", i + 1);
	else
		sprintf(buf, "RF%d", i - 21);
	return buf;
}

/* B/A of a step's power-test time, or 0 when either did not succeed. */
static double
step_ratio(const run_data *a, const run_data *b, int i)
{
	const cell *ca = &a->t[i][0],
			   *cb = &b->t[i][0];

	if (!ca->ok || !cb->ok || ca->seconds <= 0)
		return 0;
	return cb->seconds / ca->seconds;
}

static const char *
setting(const run_data *r, const char *name)
{
	return json_str(json_get(r->settings, name), "");
}

static void
check_runs(report *rep)
{
	for (int i = 1; i < rep->nruns; i++)
		if (rep->runs[i].sf != rep->runs[0].sf && rep->nwarnings < 4)
			snprintf(rep->warnings[rep->nwarnings++], sizeof(rep->warnings[0]),
					 "%s ran at SF %g and %s at SF %g: their times are compared all the same",
					 rep->runs[0].label, rep->runs[0].sf, rep->runs[i].label, rep->runs[i].sf);
	for (int i = 0; i < rep->nruns; i++)
		if (!rep->runs[i].valid && rep->nwarnings < 4)
			snprintf(rep->warnings[rep->nwarnings++], sizeof(rep->warnings[0]),
					 "%s: the metrics are not valid (a step failed, timed out, gave a wrong "
					 "answer, or the refresh functions did not run)", rep->runs[i].label);
}

/* ------------------------------------------------------------------------
 * Markdown
 * ------------------------------------------------------------------------ */

static void
md_cell(FILE *f, const cell *c)
{
	if (!c->present)
		fprintf(f, " – |");
	else if (c->ok)
		fprintf(f, " %.3f |", c->seconds);
	else
		fprintf(f, " %s |", c->status);
}

static void
write_markdown(report *rep, FILE *f)
{
	char		name[16];
	const run_data *a = &rep->runs[0];

	fprintf(f, "# TPC-H run%s\n\n", rep->nruns > 1 ? "s compared" : "");
	for (int i = 0; i < rep->nwarnings; i++)
		fprintf(f, "> **Warning:** %s\n\n", rep->warnings[i]);
	fprintf(f, "| | ");
	for (int r = 0; r < rep->nruns; r++)
		fprintf(f, "%s%s |", rep->nruns > 1 ? (r == 0 ? "A: " : "") : "", rep->runs[r].label);
	for (int r = 1; r < rep->nruns; r++)
		fprintf(f, " %s / A |", rep->runs[r].label);
	fprintf(f, "\n|---|");
	for (int r = 0; r < 2 * rep->nruns - 1; r++)
		fprintf(f, "---:|");
	fprintf(f, "\n");
	{
		static const char *const names[3] = {"Power@Size", "Throughput@Size", "QphH@Size"};

		for (int k = 0; k < 3; k++)
		{
			fprintf(f, "| %s |", names[k]);
			for (int r = 0; r < rep->nruns; r++)
			{
				const run_data *x = &rep->runs[r];
				double		v = k == 0 ? x->power : k == 1 ? x->throughput : x->qphh;

				if (k > 0 && !x->has_tput)
					fprintf(f, " – |");
				else
					fprintf(f, " %.2f%s |", v, x->valid ? "" : " (not valid)");
			}
			for (int r = 1; r < rep->nruns; r++)
			{
				const run_data *x = &rep->runs[r];
				double		va = k == 0 ? a->power : k == 1 ? a->throughput : a->qphh;
				double		vb = k == 0 ? x->power : k == 1 ? x->throughput : x->qphh;

				if (va > 0 && vb > 0)
					fprintf(f, " %.3f |", vb / va);
				else
					fprintf(f, " – |");
			}
			fprintf(f, "\n");
		}
	}

	fprintf(f, "\n## Settings\n\n| setting |");
	for (int r = 0; r < rep->nruns; r++)
		fprintf(f, " %s |", rep->runs[r].label);
	fprintf(f, "\n|---|");
	for (int r = 0; r < rep->nruns; r++)
		fprintf(f, "---|");
	fprintf(f, "\n| scale factor |");
	for (int r = 0; r < rep->nruns; r++)
		fprintf(f, " %g |", rep->runs[r].sf);
	fprintf(f, "\n| streams |");
	for (int r = 0; r < rep->nruns; r++)
		fprintf(f, " %d |", rep->runs[r].streams);
	fprintf(f, "\n");
	for (const json *s = a->settings ? a->settings->child : NULL; s; s = s->next)
	{
		int			differs = 0;

		for (int r = 1; r < rep->nruns; r++)
			differs |= strcmp(setting(&rep->runs[r], s->key), json_str(s, "")) != 0;
		fprintf(f, "| %s%s%s |", differs ? "**" : "", s->key, differs ? "**" : "");
		for (int r = 0; r < rep->nruns; r++)
			fprintf(f, " %s%s%s |", differs ? "**" : "", setting(&rep->runs[r], s->key),
					differs ? "**" : "");
		fprintf(f, "\n");
	}

	for (int r = 0; r < rep->nruns; r++)
	{
		const run_data *x = &rep->runs[r];

		fprintf(f, "\n## Seconds per step: %s\n\n| step | power |", x->label);
		for (int s = 1; s <= x->streams; s++)
			fprintf(f, " stream %d |", s);
		fprintf(f, "\n|---|---:|");
		for (int s = 1; s <= x->streams; s++)
			fprintf(f, "---:|");
		fprintf(f, "\n");
		for (int i = 0; i < NSTEPS; i++)
		{
			fprintf(f, "| %s |", step_name(i, name));
			for (int s = 0; s <= x->streams; s++)
				md_cell(f, &x->t[i][s]);
			fprintf(f, "\n");
		}
	}
	for (int r = 1; r < rep->nruns; r++)
	{
		const run_data *b = &rep->runs[r];

		fprintf(f, "\n## Power test, %s / %s (below 1: faster)\n\n| step | A s | B s | B / A |\n"
				"|---|---:|---:|---:|\n", b->label, a->label);
		for (int i = 0; i < NSTEPS; i++)
		{
			double		q = step_ratio(a, b, i);

			fprintf(f, "| %s |", step_name(i, name));
			md_cell(f, &a->t[i][0]);
			md_cell(f, &b->t[i][0]);
			if (q > 0)
				fprintf(f, " %.3f %s |\n", q, q < 1 ? "faster" : q > 1 ? "slower" : "same");
			else
				fprintf(f, " – |\n");
		}
	}
}

/* ------------------------------------------------------------------------
 * HTML
 * ------------------------------------------------------------------------ */

static void
html_text(FILE *f, const char *s)
{
	for (; *s; s++)
		switch (*s)
		{
			case '<':
				fputs("&lt;", f);
				break;
			case '>':
				fputs("&gt;", f);
				break;
			case '&':
				fputs("&amp;", f);
				break;
			case '"':
				fputs("&quot;", f);
				break;
			default:
				fputc(*s, f);
		}
}

/* Colours of the power test and the throughput streams. */
static const char *const palette[] = {
	"#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22"
};

/* Grouped horizontal bars: each step's time in every stream of one run. */
static void
svg_times(FILE *f, const run_data *x)
{
	int			ncol = x->streams + 1;
	int			bar = 9,
				group = ncol * bar + 6,
				left = 50,
				width = 860,
				plot = width - left - 90;
	int			height = NSTEPS * group + 40;
	double		max = 0;
	char		name[16];

	for (int i = 0; i < NSTEPS; i++)
		for (int s = 0; s < ncol; s++)
			if (x->t[i][s].present && x->t[i][s].seconds > max)
				max = x->t[i][s].seconds;
	if (max <= 0)
		max = 1;
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
			"viewBox=\"0 0 %d %d\" role=\"img\">\n", width, height, width, height);
	for (int s = 0; s < ncol; s++)
	{
		fprintf(f, "<rect x=\"%d\" y=\"4\" width=\"10\" height=\"10\" fill=\"%s\"/>"
				"<text x=\"%d\" y=\"13\" class=\"small\">%s", left + s * 90, palette[s % 8],
				left + s * 90 + 14, s ? "stream " : "power");
		if (s)
			fprintf(f, "%d", s);
		fprintf(f, "</text>\n");
	}
	for (int i = 0; i < NSTEPS; i++)
	{
		int			y0 = 24 + i * group;

		fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>\n", left - 6,
				y0 + ncol * bar / 2 + 4, step_name(i, name));
		for (int s = 0; s < ncol; s++)
		{
			const cell *c = &x->t[i][s];
			int			y = y0 + s * bar;

			if (!c->present)
				continue;
			if (!c->ok)
			{
				fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"bad small\">%s</text>\n", left + 2,
						y + bar - 1, c->status);
				continue;
			}
			fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\">"
					"<title>%s %s: %.3f s</title></rect>\n", left, y,
					c->seconds / max * plot + 0.5, bar - 1, palette[s % 8], name,
					s ? "stream" : "power", c->seconds);
			fprintf(f, "<text x=\"%.1f\" y=\"%d\" class=\"small\">%.3f</text>\n",
					left + c->seconds / max * plot + 4, y + bar - 1, c->seconds);
		}
	}
	fprintf(f, "</svg>\n");
}

/* B/A per step on a log scale centred on 1: left (green) faster, right (red) slower. */
static void
svg_ratios(FILE *f, const run_data *a, const run_data *b)
{
	int			row = 18,
				left = 50,
				width = 860,
				mid = left + (width - left - 60) / 2,
				half = (width - left - 60) / 2;
	int			height = NSTEPS * row + 50;
	double		maxlog = log10(2.0);
	char		name[16];

	for (int i = 0; i < NSTEPS; i++)
	{
		double		q = step_ratio(a, b, i);

		if (q > 0 && fabs(log10(q)) > maxlog)
			maxlog = fabs(log10(q));
	}
	maxlog = ceil(maxlog * 2) / 2;
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
			"viewBox=\"0 0 %d %d\" role=\"img\">\n", width, height, width, height);
	fprintf(f, "<text x=\"%d\" y=\"14\" text-anchor=\"end\" class=\"good\">&#8592; %s faster</text>"
			"<text x=\"%d\" y=\"14\" class=\"bad\">%s slower &#8594;</text>\n",
			mid - 8, b->label, mid + 8, b->label);
	/* grid: powers of ten and their halves */
	for (double l = -maxlog; l <= maxlog + 1e-9; l += 0.5)
	{
		double		x = mid + l / maxlog * half;

		fprintf(f, "<line x1=\"%.1f\" y1=\"22\" x2=\"%.1f\" y2=\"%d\" class=\"grid\"/>"
				"<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" class=\"small\">%gx</text>\n",
				x, x, height - 18, x, height - 6, pow(10, l) < 1 ? round(pow(10, l) * 1000) / 1000 :
				round(pow(10, l) * 100) / 100);
	}
	for (int i = 0; i < NSTEPS; i++)
	{
		double		q = step_ratio(a, b, i);
		int			y = 24 + i * row;

		fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>\n", left - 6, y + 12,
				step_name(i, name));
		if (q <= 0)
		{
			fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"small\">no ratio: a step did not "
					"succeed in both runs</text>\n", mid + 4, y + 12);
			continue;
		}
		{
			double		x = mid + log10(q) / maxlog * half;

			fprintf(f, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" class=\"%s\">"
					"<title>%s: %.3f s / %.3f s = %.3f</title></rect>\n",
					x < mid ? x : mid, y + 2, fabs(x - mid) + 0.5, row - 5,
					q < 1 ? "fast" : "slow", name, b->t[i][0].seconds, a->t[i][0].seconds, q);
			fprintf(f, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"%s\" class=\"small\">%.2fx</text>\n",
					q < 1 ? x - 4 : x + 4, y + 12, q < 1 ? "end" : "start", q);
		}
	}
	fprintf(f, "<line x1=\"%d\" y1=\"20\" x2=\"%d\" y2=\"%d\" class=\"axis\"/>\n</svg>\n",
			mid, mid, height - 18);
}

static void
write_html(report *rep, FILE *f)
{
	const run_data *a = &rep->runs[0];

	fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
			"<title>TPC-H run%s</title>\n<style>\n"
			"body { font: 14px/1.4 sans-serif; margin: 24px; color: #222; max-width: 920px; }\n"
			"table { border-collapse: collapse; margin: 8px 0 16px; }\n"
			"th, td { border: 1px solid #ccc; padding: 3px 8px; }\n"
			"td.n { text-align: right; font-variant-numeric: tabular-nums; }\n"
			"tr.diff td { background: #fff3b0; font-weight: bold; }\n"
			".warning { background: #ffe0e0; border: 2px solid #c00; padding: 8px; margin: 8px 0; }\n"
			"svg text { font: 12px sans-serif; fill: #222; }\n"
			"svg text.small { font-size: 10px; }\n"
			"svg .good, .good { fill: #1a7f37; color: #1a7f37; }\n"
			"svg .bad, .bad { fill: #c00; color: #c00; }\n"
			"svg rect.fast { fill: #2ca02c; } svg rect.slow { fill: #d62728; }\n"
			"svg line.grid { stroke: #ddd; } svg line.axis { stroke: #222; }\n"
			"</style>\n</head>\n<body>\n<h1>TPC-H run%s</h1>\n",
			rep->nruns > 1 ? "s compared" : "", rep->nruns > 1 ? "s compared" : "");
	for (int i = 0; i < rep->nwarnings; i++)
	{
		fprintf(f, "<div class=\"warning\"><b>Warning:</b> ");
		html_text(f, rep->warnings[i]);
		fprintf(f, "</div>\n");
	}

	fprintf(f, "<h2>Metrics</h2>\n<table>\n<tr><th></th>");
	for (int r = 0; r < rep->nruns; r++)
	{
		fprintf(f, "<th>%s", rep->nruns > 1 && r == 0 ? "A: " : "");
		html_text(f, rep->runs[r].label);
		fprintf(f, "</th>");
	}
	for (int r = 1; r < rep->nruns; r++)
	{
		fprintf(f, "<th>");
		html_text(f, rep->runs[r].label);
		fprintf(f, " / A</th>");
	}
	fprintf(f, "</tr>\n");
	for (int k = 0; k < 3; k++)
	{
		static const char *const names[3] = {"Power@Size", "Throughput@Size", "QphH@Size"};
		double		va = k == 0 ? a->power : k == 1 ? a->throughput : a->qphh;

		fprintf(f, "<tr><td>%s</td>", names[k]);
		for (int r = 0; r < rep->nruns; r++)
		{
			const run_data *x = &rep->runs[r];
			double		v = k == 0 ? x->power : k == 1 ? x->throughput : x->qphh;

			if (k > 0 && !x->has_tput)
				fprintf(f, "<td class=\"n\">–</td>");
			else
				fprintf(f, "<td class=\"n\">%.2f%s</td>", v,
						x->valid ? "" : " <span class=\"bad\">(not valid)</span>");
		}
		for (int r = 1; r < rep->nruns; r++)
		{
			const run_data *x = &rep->runs[r];
			double		vb = k == 0 ? x->power : k == 1 ? x->throughput : x->qphh;

			if (va > 0 && vb > 0)
				fprintf(f, "<td class=\"n %s\">%.3f</td>", vb >= va ? "good" : "bad", vb / va);
			else
				fprintf(f, "<td class=\"n\">–</td>");
		}
		fprintf(f, "</tr>\n");
	}
	fprintf(f, "</table>\n<p>Higher is better for every metric; above 1 in a ratio column means "
			"that run did better than A.</p>\n");

	fprintf(f, "<h2>Settings</h2>\n<table>\n<tr><th>setting</th>");
	for (int r = 0; r < rep->nruns; r++)
	{
		fprintf(f, "<th>");
		html_text(f, rep->runs[r].label);
		fprintf(f, "</th>");
	}
	fprintf(f, "</tr>\n");
	{
		int			sfdiff = 0,
					stdiff = 0;

		for (int r = 1; r < rep->nruns; r++)
		{
			sfdiff |= rep->runs[r].sf != a->sf;
			stdiff |= rep->runs[r].streams != a->streams;
		}
		fprintf(f, "<tr%s><td>scale factor</td>", sfdiff ? " class=\"diff\"" : "");
		for (int r = 0; r < rep->nruns; r++)
			fprintf(f, "<td>%g</td>", rep->runs[r].sf);
		fprintf(f, "</tr>\n<tr%s><td>streams</td>", stdiff ? " class=\"diff\"" : "");
		for (int r = 0; r < rep->nruns; r++)
			fprintf(f, "<td>%d</td>", rep->runs[r].streams);
		fprintf(f, "</tr>\n<tr><td>seed</td>");
		for (int r = 0; r < rep->nruns; r++)
			fprintf(f, "<td>%.0f</td>", json_num(json_get(rep->runs[r].doc, "seed"), 0));
		fprintf(f, "</tr>\n<tr><td>started</td>");
		for (int r = 0; r < rep->nruns; r++)
		{
			fprintf(f, "<td>");
			html_text(f, json_str(json_get(rep->runs[r].doc, "started"), ""));
			fprintf(f, "</td>");
		}
		fprintf(f, "</tr>\n");
	}
	for (const json *s = a->settings ? a->settings->child : NULL; s; s = s->next)
	{
		int			differs = 0;

		for (int r = 1; r < rep->nruns; r++)
			differs |= strcmp(setting(&rep->runs[r], s->key), json_str(s, "")) != 0;
		fprintf(f, "<tr%s><td>", differs ? " class=\"diff\"" : "");
		html_text(f, s->key);
		fprintf(f, "</td>");
		for (int r = 0; r < rep->nruns; r++)
		{
			fprintf(f, "<td>");
			html_text(f, setting(&rep->runs[r], s->key));
			fprintf(f, "</td>");
		}
		fprintf(f, "</tr>\n");
	}
	fprintf(f, "</table>\n");
	if (rep->nruns > 1)
		fprintf(f, "<p>Highlighted rows differ between the runs.</p>\n");

	for (int r = 1; r < rep->nruns; r++)
	{
		fprintf(f, "<h2>Power test: ");
		html_text(f, rep->runs[r].label);
		fprintf(f, " against ");
		html_text(f, a->label);
		fprintf(f, "</h2>\n<p>Each step's time in ");
		html_text(f, rep->runs[r].label);
		fprintf(f, " divided by its time in ");
		html_text(f, a->label);
		fprintf(f, ", on a log scale.</p>\n");
		svg_ratios(f, a, &rep->runs[r]);
	}
	for (int r = 0; r < rep->nruns; r++)
	{
		fprintf(f, "<h2>Seconds per step: ");
		html_text(f, rep->runs[r].label);
		fprintf(f, "</h2>\n<p>PostgreSQL ");
		html_text(f, rep->runs[r].version);
		fprintf(f, ", SF %g, %d throughput stream%s.</p>\n", rep->runs[r].sf,
				rep->runs[r].streams, rep->runs[r].streams == 1 ? "" : "s");
		svg_times(f, &rep->runs[r]);
	}
	fprintf(f, "</body>\n</html>\n");
}

/* Writes through a temporary name and a rename: never a half-written file. */
static void
write_out(report *rep, const char *path, int html)
{
	char		tmp[4096];
	int			fd;
	FILE	   *f;

	if (strcmp(path, "-") == 0)
	{
		if (html)
			write_html(rep, stdout);
		else
			write_markdown(rep, stdout);
		if (fflush(stdout) != 0)
			client_fail("could not write to standard output: %s", strerror(errno));
		return;
	}
	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0 || (f = fdopen(fd, "w")) == NULL)
		client_fail("could not create a file beside \"%s\": %s", path, strerror(errno));
	if (html)
		write_html(rep, f);
	else
		write_markdown(rep, f);
	if (fflush(f) != 0 || ferror(f) || fchmod(fd, 0644) != 0)
	{
		int			e = errno;

		fclose(f);
		unlink(tmp);
		client_fail("could not write \"%s\": %s", path, strerror(e));
	}
	fclose(f);
	if (rename(tmp, path) != 0)
	{
		int			e = errno;

		unlink(tmp);
		client_fail("could not rename \"%s\" to \"%s\": %s", tmp, path, strerror(e));
	}
}

int
tpchgen_report_main(int argc, char **argv)
{
	enum
	{
		OPT_HTML = 256, OPT_MD, OPT_HELP
	};
	static const struct option longopts[] = {
		{"html", required_argument, NULL, OPT_HTML},
		{"markdown", required_argument, NULL, OPT_MD},
		{"help", no_argument, NULL, OPT_HELP},
		{NULL, 0, NULL, 0}
	};
	const char *html = NULL,
			   *md = NULL;
	report	   *rep = calloc(1, sizeof(report));
	int			c;

	if (rep == NULL)
		client_fail("out of memory");
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1)
		switch (c)
		{
			case OPT_HTML:
				html = optarg;
				break;
			case OPT_MD:
				md = optarg;
				break;
			case OPT_HELP:
				usage(stdout);
				exit(0);
			case ':':
				client_fail("option \"%s\" needs a value (see %s report --help)",
							argv[optind - 1], client_progname);
			default:
				client_fail("unknown option \"%s\" (see %s report --help)", argv[optind - 1],
							client_progname);
		}
	if (optind >= argc)
		client_fail("give at least one run report (see %s report --help)", client_progname);
	if (argc - optind > MAX_RUNS)
		client_fail("at most %d run reports at once", MAX_RUNS);
	for (int i = optind; i < argc; i++)
		load_run(&rep->runs[rep->nruns++], argv[i]);
	check_runs(rep);
	for (int i = 0; i < rep->nwarnings; i++)
		client_warn("%s", rep->warnings[i]);
	if (html == NULL && md == NULL)
		md = "-";
	if (html)
		write_out(rep, html, 1);
	if (md)
		write_out(rep, md, 0);
	for (int i = 0; i < rep->nruns; i++)
		json_free(rep->runs[i].doc);
	free(rep);
	return 0;
}
