#!/usr/bin/env python3
"""Writes the stored validation answers, core/answers/sf<SF>/q<N>.ans.

  tools/gen_answers.py official DIR   SF 1 from TPC-H's answer set (DIR/q<N>.out)
  tools/gen_answers.py run SF         SF 0.01 or 0.1: runs the validation
                                      queries with psql (PG* variables) on
                                      heap tables made from tpch_<table>(SF)

An answer holds one line per row, the columns separated by "|", strings
without trailing blanks, numbers trimmed, and numbers with a fraction rounded
half away from zero to two decimals: what tpch_answer_value() in
core/answers.c makes of a value, which the pg_regress test qgen_check checks
by comparing a fresh run with these files.
"""
import decimal
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', 'core', 'answers')

# Column kinds per query: s string, i integer, n number (as core/answers.c).
KINDS = ['ssnnnnnnni', 'nssissss', 'insi', 'si', 'sn', 'n', 'ssin', 'in', 'sin',
         'isnnssss', 'in', 'sii', 'ii', 'n', 'isssn', 'ssni', 'n', 'siisnn', 'n', 'ss',
         'si', 'sin']


def value(kind, v):
    if kind == 's':
        return v.rstrip(' \t')
    v = v.strip(' \t')
    if kind == 'i' or not any(c in v for c in '.eE'):
        return v
    d = decimal.Decimal(v).quantize(decimal.Decimal('0.01'), rounding=decimal.ROUND_HALF_UP)
    return '0.00' if d == 0 else str(d)


def normalise(q, rows):
    out = []
    for row in rows:
        fields = row.split('|')
        assert len(fields) == len(KINDS[q - 1]), (q, row)
        out.append('|'.join(value(k, f) for k, f in zip(KINDS[q - 1], fields)))
    return ''.join(r + '\n' for r in out)


def write(sf, q, text):
    d = os.path.join(OUT, 'sf' + sf)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, 'q%d.ans' % q), 'w') as f:
        f.write(text)


def official(src):
    for q in range(1, 23):
        with open(os.path.join(src, 'q%d.out' % q)) as f:
            lines = [l.rstrip('\n') for l in f if l.strip()]
        write('1', q, normalise(q, lines[1:]))


KEYS = [('region', 'r_regionkey'), ('nation', 'n_nationkey'), ('supplier', 's_suppkey'),
        ('part', 'p_partkey'), ('partsupp', 'ps_partkey, ps_suppkey'),
        ('customer', 'c_custkey'), ('orders', 'o_orderkey'),
        ('lineitem', 'l_orderkey, l_linenumber')]


def psql(sql):
    return subprocess.run(['psql', '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-c', sql],
                          check=True, capture_output=True, text=True).stdout


def run(sf):
    tables = ['region', 'nation', 'supplier', 'part', 'partsupp', 'customer', 'orders',
              'lineitem']
    setup = 'DROP SCHEMA IF EXISTS tpch_answers CASCADE; CREATE SCHEMA tpch_answers;'
    for t in tables:
        setup += 'CREATE TABLE tpch_answers.%s AS SELECT * FROM tpch_%s(%s);' % (t, t, sf)
    # the keys tpch_load makes, without which Q17 and Q20 scan lineitem per row
    for t, key in KEYS:
        setup += 'ALTER TABLE tpch_answers.%s ADD PRIMARY KEY (%s);' % (t, key)
    setup += 'ANALYZE;'
    psql(setup)
    for q in range(1, 23):
        text = psql('SET search_path = tpch_answers, public; SELECT tpch_query(%d, NULL, %s)' % (q, sf))
        out = subprocess.run(['psql', '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1'],
                             input='SET search_path = tpch_answers, public;\n' + text,
                             check=True, capture_output=True, text=True).stdout
        # one line per row; a row of one NULL is an empty line
        write(sf, q, normalise(q, out[:-1].split('\n') if out else []))
    psql('DROP SCHEMA tpch_answers CASCADE')


if __name__ == '__main__':
    if len(sys.argv) == 3 and sys.argv[1] == 'official':
        official(sys.argv[2])
    elif len(sys.argv) == 3 and sys.argv[1] == 'run':
        run(sys.argv[2])
    else:
        sys.exit(__doc__)
