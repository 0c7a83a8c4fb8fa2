// One urql client per API key: queries and mutations over HTTP, subscriptions over graphql-ws.
import { Client, cacheExchange, fetchExchange, mapExchange, subscriptionExchange } from "urql";
import { createClient as createWsClient } from "graphql-ws";

export function wsUrl(): string {
  const { protocol, host } = window.location;
  return `${protocol === "https:" ? "wss:" : "ws:"}//${host}/graphql`;
}

export function makeClient(key: string, onUnauthenticated: () => void): Client {
  // No automatic retry here: when the socket drops, the job view resubscribes itself with the
  // last cursor it received (see useJobEvents), so no event is missed or seen twice.
  const ws = createWsClient({
    url: wsUrl(),
    connectionParams: { authorization: `Bearer ${key}` },
    lazy: true,
    retryAttempts: 0,
  });
  return new Client({
    url: "/graphql",
    requestPolicy: "cache-and-network",
    fetchOptions: () => ({ headers: { Authorization: `Bearer ${key}` } }),
    exchanges: [
      mapExchange({
        onError(error) {
          const codes = error.graphQLErrors.map((e) => e.extensions?.code);
          if (codes.includes("UNAUTHENTICATED") || error.response?.status === 401) {
            onUnauthenticated();
          }
        },
      }),
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query ?? "" };
          return {
            subscribe(sink) {
              const unsubscribe = ws.subscribe(input, sink);
              return { unsubscribe };
            },
          };
        },
      }),
    ],
  });
}
