import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// The build is committed inside the Python package (see docs/console.md), so it must be
// byte-for-byte reproducible: content-hashed names, no timestamps, no absolute paths.
export default defineConfig({
  plugins: [react()],
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
});
