import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// The app is written against React's API and types; the bundle runs it on Preact's compat layer
// (about 50 KiB less gzip). The build is committed inside the Python package (see
// docs/console.md), so it must be byte-for-byte reproducible: content-hashed names, no
// timestamps, no absolute paths.
const preact = [
  { find: /^react$/, replacement: "preact/compat" },
  { find: /^react-dom$/, replacement: "preact/compat" },
  { find: /^react-dom\/client$/, replacement: "preact/compat/client" },
  { find: /^react\/jsx-runtime$/, replacement: "preact/jsx-runtime" },
  { find: /^react\/jsx-dev-runtime$/, replacement: "preact/jsx-dev-runtime" },
];

export default defineConfig(({ command }) => ({
  // plugin-react only compiles JSX here; its fast refresh needs real React, so dev runs without it
  plugins: command === "build" ? [react()] : [],
  resolve: { alias: preact },
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  base: "/",
  build: {
    outDir: "../resolvers/console_dist",
    emptyOutDir: true,
    assetsDir: "assets",
    sourcemap: false,
    target: "es2022",
    reportCompressedSize: false,
  },
  server: {
    proxy: {
      "/graphql": { target: "http://127.0.0.1:8000", ws: true },
      "/files": "http://127.0.0.1:8000",
      "/uploads": "http://127.0.0.1:8000",
    },
  },
}));
