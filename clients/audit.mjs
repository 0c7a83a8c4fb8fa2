// Runs the GraphQL-over-HTTP server audits of graphql-http against a live Adreel server.
// Usage: node audit.mjs [url] [api key]   (default http://127.0.0.1:8000/graphql)
// With a key every audit request carries it, as a real client does (requests without one are
// rate limited per address and refused before validation).
// Exits 1 when any MUST or SHOULD audit fails (MAY audits are reported, not enforced).
import { serverAudits } from 'graphql-http';

const url = process.argv[2] || process.env.ADREEL_GRAPHQL_URL || 'http://127.0.0.1:8000/graphql';
const key = process.argv[3] || process.env.ADREEL_API_KEY || '';
const fetchFn = (input, init = {}) => {
  const headers = new Headers(init.headers);
  if (key) headers.set('authorization', `Bearer ${key}`);
  return fetch(input, { ...init, headers });
};
let failed = 0;
let passed = 0;
for (const audit of serverAudits({ url, fetchFn })) {
  const result = await audit.fn();
  const required = !audit.name.startsWith('MAY');
  if (result.status === 'ok') {
    passed += 1;
    continue;
  }
  const reason = result.reason ?? '';
  if (required) failed += 1;
  console.log(`${required ? 'FAIL' : 'note'} ${audit.id} ${audit.name}: ${reason}`);
  if ('response' in result && result.response?.body?.cancel) await result.response.body.cancel();
}
console.log(`${passed} passed, ${failed} required audits failed`);
process.exit(failed ? 1 : 0);
