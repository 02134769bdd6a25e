// One lint config for every workspace: type-aware rules that catch unhandled promises, and the
// dependency direction of ../shared/ARCHITECTURE.md (domain <- projections <- infra <- gateways,
// agents <- cli) enforced with no-restricted-imports so it stays true.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

const layer = (folder, forbidden, extra = []) => ({
  files: [`${folder}/**/*.ts`],
  rules: {
    "no-restricted-imports": ["error", {
      patterns: [
        ...forbidden.map((name) => ({ group: [`@weft/${name}`, `@weft/${name}/*`], message: `${folder}/ may not import ${name}/ (see ARCHITECTURE.md)` })),
        ...extra,
      ],
    }],
  },
});
const noIo = [
  { group: ["node:*", "fs", "net", "http", "crypto", "child_process"], message: "domain/ and projections/ stay pure: no I/O" },
  { group: ["effect", "effect/*", "@nats-io/*", "@kurrent/*", "hono", "hono/*"], message: "domain/ and projections/ are plain TypeScript" },
];

export default tseslint.config(
  { ignores: ["**/node_modules/**", "**/.turbo/**", "**/*.js", "**/*.mjs"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true } },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/await-thenable": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      "no-console": "off",
    },
  },
  {
    // Specs read loosely typed JSON bodies; asserting their content is what checks them.
    files: ["**/*.spec.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off", "@typescript-eslint/no-non-null-assertion": "off" },
  },
  layer("proto", ["domain", "projections", "infra", "gateways", "agents", "cli"]),
  layer("domain", ["projections", "infra", "gateways", "agents", "cli"], noIo),
  layer("projections", ["infra", "gateways", "agents", "cli"], noIo),
  layer("infra", ["gateways", "agents", "cli"]),
  layer("gateways", ["agents", "cli"]),
  layer("agents", ["gateways", "cli", "domain", "projections"], [
    { group: ["@weft/infra/eventStore", "@weft/infra/eventStore/*"], message: "agents never touch the event store: bus only" },
  ]),
);
