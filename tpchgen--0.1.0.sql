/* tpchgen--0.1.0.sql - install script */

\echo Use "CREATE EXTENSION tpchgen" to load this file. \quit
