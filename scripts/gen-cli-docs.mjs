#!/usr/bin/env node
// Regenerates the command reference in docs/cli.md from the command table (lib/cli/commands.ts,
// built into dist/cli by `npx tsc -b`). test/cli/docs.test.js fails when the file is stale.
import fs from "node:fs";
import { fileURLToPath } from "node:url";
import { withReference } from "../dist/cli/docs.js";

const file = fileURLToPath(new URL("../docs/cli.md", import.meta.url));
const next = withReference(fs.readFileSync(file, "utf8"));
fs.writeFileSync(file, next);
console.error(`wrote ${file}`);
