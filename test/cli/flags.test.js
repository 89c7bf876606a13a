// The strict parser (lib/cli/flags.ts): typed values, usage errors that name the flag, the value
// and the nearest valid flag, and the progress bar's ETA.
import test from "ava";
import { editDistance, nearest, parseFlags, UsageError } from "../../dist/cli/flags.js";
import { ProgressBar, formatSeconds } from "../../dist/cli/progress.js";

const specs = [
  { name: "epochs", type: "integer", min: 1, description: "" },
  { name: "lr", type: "number", description: "" },
  { name: "device", type: "enum", values: ["cpu", "cuda"], description: "" },
  { name: "only", type: "list", values: ["A", "B", "speed"], description: "" },
  { name: "data", type: "string", required: true, description: "" },
  { name: "json", type: "boolean", description: "" },
  { name: "no-eval", type: "boolean", description: "" },
];
const parse = (...argv) => parseFlags("cmd", specs, argv);

test("editDistance / nearest", (t) => {
  t.is(editDistance("epochs", "epochs"), 0);
  t.is(editDistance("epoch", "epochs"), 1);
  t.is(editDistance("epcohs", "epochs"), 1); // a transposition
  t.is(editDistance("", "abc"), 3);
  t.is(editDistance("kitten", "sitting"), 3);
  t.is(nearest("jsn", specs.map((s) => s.name)), "json");
  t.is(nearest("d", specs.map((s) => s.name)), "device"); // an abbreviation: the first flag it begins
  t.is(nearest("noeval", specs.map((s) => s.name)), "no-eval");
});

test("values are typed; --x=v and --x v; switches; absent flags stay absent", (t) => {
  const { flags, help } = parse("--epochs", "3", "--lr=1e-3", "--device", "cuda", "--only", "A, speed", "--data", "x.csv", "--json", "--no-eval=false");
  t.false(help);
  t.deepEqual(flags, { epochs: 3, lr: 0.001, device: "cuda", only: "A,speed", data: "x.csv", json: true, "no-eval": false });
  t.deepEqual(parse("--data", "-").flags, { data: "-" });
  t.deepEqual(parse("--lr", "-0.5", "--data", "d").flags, { lr: -0.5, data: "d" }); // a negative number is a value
});

test("usage errors name the flag, the value and the nearest flag", (t) => {
  const err = (argv, re) => t.throws(() => parse(...argv), { instanceOf: UsageError, message: re });
  err(["--data", "d", "--epoch", "3"], /cmd: unknown flag --epoch; did you mean --epochs\?/);
  err(["--data", "d", "--jsno"], /unknown flag --jsno; did you mean --json\?/);
  err(["--data", "d", "--epochs", "two"], /--epochs expects an integer, got "two"/);
  err(["--data", "d", "--epochs", "1.5"], /--epochs expects an integer, got "1.5"/);
  err(["--data", "d", "--epochs", "0"], /--epochs must be >= 1, got "0"/);
  err(["--data", "d", "--lr", "fast"], /--lr expects a number, got "fast"/);
  err(["--data", "d", "--device", "gpu"], /--device must be one of cpu, cuda, got "gpu"/);
  err(["--data", "d", "--only", "A,C"], /--only: "C" is not one of A, B, speed/);
  err(["--data", "d", "--only", "A,,B"], /--only expects a comma-separated list/);
  err(["--data", "d", "--epochs"], /--epochs needs a value/);
  err(["--data", "d", "--epochs", "--json"], /--epochs needs a value/);
  err(["--data", "d", "--json=yes"], /--json is a switch/);
  err(["--data", "d", "extra"], /cmd: unexpected argument "extra"/);
  err(["--data", "d", "-j"], /unexpected argument "-j" \(flags take two dashes: did you mean --json\?\)/);
  err(["--json"], /cmd needs --data V/);
  t.true(new UsageError("x") instanceof RangeError);
  t.is(new UsageError("x").exitCode, 2);
});

test("a flag's check: its reason and the value in a usage error", (t) => {
  const spec = [{ name: "reach", type: "string", check: (v) => (/^(causal|\d+)$/.test(v) ? null : "must be causal or an integer"), description: "" }];
  t.deepEqual(parseFlags("c", spec, ["--reach", "7"]).flags, { reach: "7" });
  t.throws(() => parseFlags("c", spec, ["--reach=far"]), { instanceOf: UsageError, message: '--reach must be causal or an integer, got "far"' });
});

test("-h / --help wins over every other mistake", (t) => {
  t.true(parse("--nope", "-h").help);
  t.true(parse("--help", "--epochs", "x").help);
});

test("ProgressBar: elapsed and ETA extrapolated from the fraction done", (t) => {
  const bar = new ProgressBar("x", 10);
  t.regex(bar.line(5, "", 10), /50% 5\/10 10s ETA 10s/);
  t.regex(bar.line(1, "loss 1", 30), /10% 1\/10 30s ETA 4m30s  loss 1/);
  t.regex(bar.line(0, "", 3), /ETA \?/);
  t.regex(bar.line(10, "", 3), /100% 10\/10 3s done/);
  t.is(formatSeconds(3725), "1h02m");
});
