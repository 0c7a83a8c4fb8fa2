/*
 * Adreel's GraphiQL page: GraphiQL with the explorer plugin, queries and mutations over HTTP,
 * subscriptions over graphql-ws. The API key is typed once into the bar above the editor and
 * kept in this browser's localStorage; it is sent as the Authorization header and in the
 * WebSocket's connection_init payload, never placed in a URL.
 */
(function () {
  "use strict";

  var STORAGE_KEY = "adreel.graphiql.apiKey";
  var url = window.location.origin + window.location.pathname;
  var wsUrl = url.replace(/^http/, "ws");

  // Links printed by older versions put the key in ?headers=: drop it from the address bar.
  var search = new URLSearchParams(window.location.search);
  if (search.has("headers")) {
    search.delete("headers");
    var rest = search.toString();
    window.history.replaceState(null, "", window.location.pathname + (rest ? "?" + rest : ""));
  }

  function apiKey() {
    try {
      return window.localStorage.getItem(STORAGE_KEY) || "";
    } catch (e) {
      return "";
    }
  }

  function authHeaders() {
    var key = apiKey();
    return key ? { Authorization: "Bearer " + key } : {};
  }

  var wsClient = null;
  var wsClientKey = null;

  function subscriptions() {
    var key = apiKey();
    if (wsClient === null || wsClientKey !== key) {
      if (wsClient !== null) wsClient.dispose();
      wsClientKey = key;
      wsClient = graphqlWs.createClient({
        url: wsUrl,
        lazy: true,
        connectionParams: function () {
          return authHeaders();
        },
      });
    }
    return wsClient;
  }

  function fetcher(params, options) {
    return GraphiQL.createFetcher({
      url: url,
      headers: authHeaders(),
      wsClient: subscriptions(),
    })(params, options);
  }

  // --- the key bar
  var input = document.getElementById("adreel-key-input");
  var status = document.getElementById("adreel-key-status");

  function showStatus() {
    var key = apiKey();
    status.textContent = key
      ? "key " + key.slice(0, 12) + "… kept in this browser"
      : "no key: only introspection works";
  }

  document.getElementById("adreel-key").addEventListener("submit", function (event) {
    event.preventDefault();
    var key = input.value.trim().replace(/^Bearer\s+/i, "");
    if (key) window.localStorage.setItem(STORAGE_KEY, key);
    input.value = "";
    showStatus();
  });
  document.getElementById("adreel-key-forget").addEventListener("click", function () {
    window.localStorage.removeItem(STORAGE_KEY);
    showStatus();
  });
  showStatus();

  // --- GraphiQL
  var EXAMPLE = [
    "# Adreel's GraphQL API. Paste your API key in the bar above (kept in this browser).",
    "# Run with Ctrl-Enter; subscriptions stream over a WebSocket.",
    "{",
    "  viewer {",
    "    keyName",
    "    organization { name }",
    "  }",
    "}",
    "",
  ].join("\n");

  var explorer = GraphiQLPluginExplorer.explorerPlugin();
  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: EXAMPLE,
      plugins: [explorer],
      defaultEditorToolsVisibility: true,
      inputValueDeprecation: true,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: false,
    })
  );
})();
