// The jsii transport half of the fast path (synth_runtime/provider_bindings.py).
//
// jsii's launcher (bin/jsii-runtime.js) starts a second Node process for the kernel
// (lib/program.js) and relays every request and response between Python's pipes and
// that child's fd 3. A synth makes about 1,500 calls, so every call pays two extra
// pipe hops through the launcher's event loop (about 0.1 ms each), and every run pays
// a second Node start. Preloaded (NODE_OPTIONS=--require) into the launcher, this
// hook runs the kernel in the launcher's own process instead, on Python's stdin and
// stdout, and relays console output the way the launcher does (one JSON line per
// write on stderr, which jsii's Python side decodes back to stdout or stderr).
//
// The kernel links packages from its cache (instead of copying 2,100 directories) only
// when Node runs with --preserve-symlinks, which the launcher passes to its child.
// prepare_node puts that flag in NODE_OPTIONS; without it the launcher runs unchanged.
// The flag is also added to process.execArgv, which is where the kernel looks for it.
//
// If program.js does not have the expected file-descriptor setup (another jsii
// version), the launcher runs unchanged.
"use strict";
const fs = require("fs");
const Module = require("module");
const path = require("path");
const { Writable } = require("stream");

const LAUNCHER = /[\\/]bin[\\/]jsii-runtime\.js$/;
const CHILD_CHANNEL = "readFD:3,writeFD:3";
const OWN_CHANNEL = "readFD:0,writeFD:1";
const compile = Module.prototype._compile;
let kernel = null;

function relayedTo(key) {
  // Blocking writes to fd 2: touching process.stderr would make the pipe non-blocking.
  return new Writable({
    write(chunk, encoding, done) {
      const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk, encoding);
      fs.writeSync(2, `${JSON.stringify({ [key]: bytes.toString("base64") })}\n`);
      done();
    },
  });
}

function symlinksPreserved() {
  const flag = "--preserve-symlinks";
  return process.execArgv.includes(flag) || (process.env.NODE_OPTIONS || "").split(/\s+/).includes(flag);
}

function runKernelInThisProcess(launcher) {
  const program = path.resolve(path.dirname(launcher), "..", "lib", "program.js");
  let source;
  try {
    source = fs.readFileSync(program, "utf8");
  } catch {
    return null;
  }
  if (!source.includes(CHILD_CHANNEL) || !symlinksPreserved()) return null;
  // fd 1 is the API channel now: console output must never reach it.
  for (const key of ["stdout", "stderr"]) {
    const stream = relayedTo(key);
    Object.defineProperty(process, key, { configurable: true, enumerable: true, get: () => stream });
  }
  if (!process.execArgv.includes("--preserve-symlinks")) process.execArgv.push("--preserve-symlinks");
  return program;
}

Module.prototype._compile = function compileJsiiKernelInProcess(content, filename) {
  if (kernel === null && LAUNCHER.test(filename)) {
    const program = runKernelInThisProcess(filename);
    if (program !== null) {
      kernel = program;
      content = `require(${JSON.stringify(program)});`;
    }
  } else if (kernel !== null && filename === kernel) {
    content = content.replace(CHILD_CHANNEL, OWN_CHANNEL);
  }
  return compile.call(this, content, filename);
};
