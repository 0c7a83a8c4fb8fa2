// Real JavaScript GraphQL clients against a live adreel server:
//   node clients.mjs <graphql http url> <api key 1> <job id 1> <api key 2> <job id 2>
// (job 1 for the graphql-ws client, job 2 for Apollo Client, each with its organization's key)
// Prints "READY <n>" once subscribed to job <n> (the test then runs that job to completion),
// and "ALL OK" at the end; any failure exits non-zero with the reason.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { ApolloClient, HttpLink, InMemoryCache, gql, split } from "@apollo/client";
import { PersistedQueryLink } from "@apollo/client/link/persisted-queries";
import { GraphQLWsLink } from "@apollo/client/link/subscriptions";
import { getMainDefinition } from "@apollo/client/utilities";

const [httpUrl, key1, job1, key2, job2] = process.argv.slice(2);
const wsUrl = httpUrl.replace(/^http/, "ws");
const JOB_EVENTS = `subscription($jobId: ID!) { jobEvents(jobId: $jobId) { sequence type status } }`;

function wsClient(authorization) {
  return createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: authorization ? { authorization } : {},
    retryAttempts: 0,
    shouldRetry: () => false,
  });
}

// graphql-ws: subscribe until the job completes.
async function graphqlWsSubscription() {
  const client = wsClient(`Bearer ${key1}`);
  const events = [];
  let ready = false;
  for await (const result of client.iterate({ query: JOB_EVENTS, variables: { jobId: job1 } })) {
    assert.equal(result.errors, undefined, JSON.stringify(result.errors));
    events.push(result.data.jobEvents);
    if (!ready) {
      ready = true;
      console.log("READY 1");
    }
  }
  await client.dispose();
  assert.equal(events.at(-1).type, "JOB_COMPLETED");
  assert.equal(events.at(-1).status, "COMPLETED");
  const sequences = events.map((e) => e.sequence);
  assert.deepEqual(sequences, [...sequences].sort((a, b) => a - b));
  console.log(`graphql-ws: ${events.length} events until JOB_COMPLETED`);
}

// graphql-ws: a bad key is refused with 4403.
async function graphqlWsBadKey() {
  const client = wsClient("Bearer adr_00000000_" + "x".repeat(43));
  const closed = await new Promise((resolve) => {
    client.subscribe(
      { query: JOB_EVENTS, variables: { jobId: job1 } },
      { next: () => resolve(null), error: (error) => resolve(error), complete: () => resolve(null) },
    );
  });
  await client.dispose();
  assert.ok(closed, "a bad key got results");
  assert.equal(closed.code, 4403, `closed with ${closed.code} ${closed.reason}`);
  console.log(`graphql-ws bad key: closed ${closed.code} ${closed.reason}`);
}

// A subscribe without connection_init first is closed (4401 Unauthorized).
async function missingConnectionInit() {
  const socket = new WebSocket(wsUrl, "graphql-transport-ws");
  const code = await new Promise((resolve, reject) => {
    socket.on("open", () =>
      socket.send(JSON.stringify({ id: "1", type: "subscribe", payload: { query: JOB_EVENTS } })),
    );
    socket.on("message", (data) => reject(new Error(`unexpected message ${data}`)));
    socket.on("close", (closeCode) => resolve(closeCode));
    socket.on("error", reject);
  });
  assert.equal(code, 4401);
  console.log(`missing connection_init: closed ${code}`);
}

// Apollo Client 4: APQ hash-first over HTTP, a mutation, a subscription over graphql-ws,
// and its normalized cache.
async function apollo() {
  const auth = `Bearer ${key2}`;
  const sent = [];
  const recordingFetch = async (url, init) => {
    const body = JSON.parse(init.body);
    const response = await fetch(url, init);
    const answer = await response.clone().json();
    sent.push({ body, codes: (answer.errors ?? []).map((e) => e.extensions?.code) });
    return response;
  };
  const sha256 = (text) => createHash("sha256").update(text).digest("hex");
  const http = new PersistedQueryLink({ sha256 }).concat(
    new HttpLink({ uri: httpUrl, headers: { authorization: auth }, fetch: recordingFetch }),
  );
  const ws = new GraphQLWsLink(wsClient(auth));
  const link = split(
    ({ query }) => {
      const definition = getMainDefinition(query);
      return definition.kind === "OperationDefinition" && definition.operation === "subscription";
    },
    ws,
    http,
  );
  const client = new ApolloClient({ link, cache: new InMemoryCache() });

  const CREATE = gql`
    mutation ($input: CreateClientInput!) {
      createClient(input: $input) { client { id name } userErrors { code message } }
    }
  `;
  const created = await client.mutate({ mutation: CREATE, variables: { input: { name: "Apollo" } } });
  assert.deepEqual(created.data.createClient.userErrors, []);
  const id = created.data.createClient.client.id;

  const CLIENTS = gql`
    query ApolloClients { clients { edges { node { id name } } } }
  `;
  const listed = await client.query({ query: CLIENTS });
  const node = listed.data.clients.edges.map((e) => e.node).find((n) => n.id === id);
  assert.equal(node.name, "Apollo");
  // hash first: the server did not know it, then Apollo registered it with the query text
  const first = sent.find((s) => s.body.operationName === "ApolloClients");
  assert.equal(first.body.query, undefined, "the first request carried the query text");
  assert.ok(first.body.extensions.persistedQuery.sha256Hash);
  assert.deepEqual(first.codes, ["PERSISTED_QUERY_NOT_FOUND"]);
  const registered = sent.filter((s) => s.body.operationName === "ApolloClients").at(-1);
  assert.ok(registered.body.query, "registration carries the query text");
  assert.deepEqual(registered.codes, []);
  const again = await client.query({ query: CLIENTS, fetchPolicy: "network-only" });
  assert.ok(again.data.clients.edges.length >= 1);
  const last = sent.at(-1);
  assert.equal(last.body.query, undefined, "a known query is sent by hash alone");
  assert.deepEqual(last.codes, []);

  // normalized cache: one entity per ID, shared by every query and mutation result
  assert.equal(client.cache.identify(node), `Client:${id}`);
  const NODE = gql`
    query ApolloNode($id: ID!) { node(id: $id) { id ... on Client { name } } }
  `;
  const viaNode = await client.query({ query: NODE, variables: { id } });
  assert.equal(viaNode.data.node.name, "Apollo");
  const fragment = gql`fragment C on Client { id name }`;
  const read1 = client.readFragment({ id: `Client:${id}`, fragment });
  const read2 = client.readFragment({ id: `Client:${id}`, fragment });
  assert.equal(read1, read2, "the cache returns the same object for the same ID");
  const UPDATE = gql`
    mutation ($input: UpdateClientInput!) {
      updateClient(input: $input) { client { id name } userErrors { code } }
    }
  `;
  await client.mutate({ mutation: UPDATE, variables: { input: { clientId: id, name: "Apollo 2" } } });
  const cached = client.readQuery({ query: CLIENTS });
  const updated = cached.clients.edges.map((e) => e.node).find((n) => n.id === id);
  assert.equal(updated.name, "Apollo 2", "the list query sees the mutation's result");
  console.log("apollo: APQ hash-first, mutation, normalized cache");

  const events = [];
  await new Promise((resolve, reject) => {
    client.subscribe({ query: gql(JOB_EVENTS), variables: { jobId: job2 } }).subscribe({
      next: (result) => {
        if (result.error) reject(result.error);
        events.push(result.data.jobEvents);
        if (events.length === 1) console.log("READY 2");
      },
      error: reject,
      complete: resolve,
    });
  });
  assert.equal(events.at(-1).type, "JOB_COMPLETED");
  console.log(`apollo subscription: ${events.length} events until JOB_COMPLETED`);
  client.stop();
  await ws.client.dispose();
}

try {
  await graphqlWsSubscription();
  await graphqlWsBadKey();
  await missingConnectionInit();
  await apollo();
  console.log("ALL OK");
  process.exit(0);
} catch (error) {
  console.error(error);
  process.exit(1);
}
