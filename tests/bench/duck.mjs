// Run one SQL statement in DuckDB (2 threads) and print the result as CSV
// on standard output: node duck.mjs QUERY.sql FILE [OUT]
// $FILE and $OUT in the query are replaced by the arguments.
import { readFileSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

const [sqlPath, file, out = ''] = process.argv.slice(2);
const sql = readFileSync(sqlPath, 'utf8').replaceAll('$FILE', file).replaceAll('$OUT', out);
const inst = await DuckDBInstance.create(':memory:', { threads: '2' });
const con = await inst.connect();
const r = await con.runAndReadAll(sql);
const cols = r.columnNames();
const lines = [cols.join(',')];
for (const row of r.getRows())
	lines.push(row.map((v) => (v === null ? '' : String(v))).join(','));
process.stdout.write(lines.join('\n') + '\n');
