/**
 * The reference point for "reads by id" (issue 15): the least a Node.js server can do to answer
 * `GET /fhir/R4/Patient/{id}` from the same rows — `node:http` and a `pg` pool of the same size as
 * CareWeave's, one query, the stored JSON sent as it is. No sign-in, no access check, no audit,
 * no framework. Run as its own process by the benchmark (`--only read`), never in production.
 *
 *   node src/bench/bare-read-server.ts <database-url> <port> [pool-size]
 */
import http from 'node:http';
import pg from 'pg';

const [databaseUrl, portText, poolText] = process.argv.slice(2);
if (!databaseUrl || !portText) {
  console.error('usage: bare-read-server.ts <database-url> <port> [pool-size]');
  process.exit(2);
}
const pool = new pg.Pool({ connectionString: databaseUrl, max: Number(poolText ?? 10) });
const PREFIX = '/fhir/R4/Patient/';

const server = http.createServer((request, response) => {
  const url = request.url ?? '';
  if (url === '/healthz') {
    response.end('ok');
    return;
  }
  if (request.method !== 'GET' || !url.startsWith(PREFIX)) {
    response.writeHead(404).end();
    return;
  }
  const id = decodeURIComponent(url.slice(PREFIX.length));
  pool
    .query<{ content: string }>({
      name: 'read-patient',
      text: `select content::text as content from current_resource where resource_type = 'Patient' and id = $1 and not deleted`,
      values: [id],
    })
    .then(({ rows }) => {
      const row = rows[0];
      if (!row) {
        response.writeHead(404).end();
        return;
      }
      response.writeHead(200, { 'content-type': 'application/fhir+json' }).end(row.content);
    })
    .catch((error: unknown) => {
      response.writeHead(500).end(String(error));
    });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(portText), '127.0.0.1');
process.on('SIGTERM', () => {
  server.close();
  void pool.end().then(() => process.exit(0));
});
