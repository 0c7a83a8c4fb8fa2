import type { CodegenConfig } from "@graphql-codegen/cli";

// Typed operations from the committed schema: a schema change that breaks the console
// fails `npm run typecheck` (and the codegen check in CI).
const config: CodegenConfig = {
  schema: "../schema.graphql",
  documents: ["src/**/*.{ts,tsx}", "!src/gql/**/*"],
  ignoreNoDocuments: false,
  generates: {
    "src/gql/": {
      preset: "client",
      presetConfig: { fragmentMasking: false },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { DateTime: "string", Upload: "File" },
      },
    },
  },
};

export default config;
