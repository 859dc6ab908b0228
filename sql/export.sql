-- tpch_export: argument checks, refusals and privileges.  Files are written
-- and compared by the TAP tests (test/t/005_export_files.pl and later).

-- paths must be absolute
SELECT * FROM tpch_export('region', 'region.csv');

-- bad arguments
SELECT * FROM tpch_export('regions', '/tmp/x.csv');
SELECT * FROM tpch_export('region', '/tmp/x.csv', format => 'json');
SELECT * FROM tpch_export('region', '/tmp/x.csv', format => 'tbl', header => true);
SELECT * FROM tpch_export('region', '/tmp/x.csv', compression => 'gzip');
SELECT * FROM tpch_export('region', '/tmp/x.csv', compression => 'zstd', level => 99);
SELECT * FROM tpch_export('region', '/tmp/x.csv', workers => -1);
SELECT * FROM tpch_export('region', '/tmp/x.csv', sf => 0);
SELECT * FROM tpch_export('region', '/tmp/x.csv', sf => 1.5);
SELECT * FROM tpch_export('region', '/tmp/x.csv', part => 3, parts => 2);
SELECT * FROM tpch_export('region', '/tmp/x.csv', parts => 0);
SELECT * FROM tpch_export('region', NULL);
SELECT * FROM tpch_export('region', '/tmp/x.csv', overwrite => NULL);

-- targets that must not be touched
SELECT * FROM tpch_export('region', '/dev/null');
SELECT * FROM tpch_export('region', '/dev/null', overwrite => true);
SELECT * FROM tpch_export('region', '/tmp');
SELECT * FROM tpch_export('region', '/tmp/', overwrite => true);
SELECT * FROM tpch_export('all', '/dev/null');
SELECT * FROM tpch_export('all', '/nonexistent-tpchgen-dir');
-- a missing directory is found before anything is generated
\set VERBOSITY terse
SELECT * FROM tpch_export('region', '/nonexistent-tpchgen-dir/region.csv');
\set VERBOSITY default

-- like COPY TO a file: superusers and pg_write_server_files only
CREATE ROLE regress_tpch_export;
SET ROLE regress_tpch_export;
SELECT * FROM tpch_export('region', '/dev/null');
RESET ROLE;
GRANT pg_write_server_files TO regress_tpch_export;
SET ROLE regress_tpch_export;
SELECT * FROM tpch_export('region', '/dev/null');
RESET ROLE;
DROP ROLE regress_tpch_export;

-- the I/O method setting
SHOW tpchgen.io_method;
SET tpchgen.io_method = 'posix_aio';
SET tpchgen.io_method = 'sync';
SHOW tpchgen.io_method;
RESET tpchgen.io_method;
SHOW tpchgen.direct_io;
SET tpchgen.direct_io = 'sometimes';
SET tpchgen.direct_io = off;
SHOW tpchgen.direct_io;
RESET tpchgen.direct_io;
