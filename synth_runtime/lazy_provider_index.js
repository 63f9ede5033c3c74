// The Node half of the provider fast path (synth_runtime/provider_bindings.py).
//
// The AWS provider's lib/index.js runs `exports.<name> = require("./<submodule>")` for
// all ~2,100 submodules when the jsii kernel loads the assembly: about 2 s before any
// work starts. Preloaded into the kernel's Node process (NODE_OPTIONS=--require), this
// hook compiles that one file with each of those lines turned into a getter that
// requires the submodule on first use, so only the submodules a synth touches load.
// Any other file, or an index.js whose lines do not have that exact shape, is left as is.
"use strict";
const Module = require("module");

const PROVIDER_INDEX = /[\\/]@cdktf[\\/]provider-aws[\\/](?:[^\\/]+[\\/])*lib[\\/]index\.js$/;
const EAGER_EXPORT = /^exports\.([A-Za-z_$][A-Za-z0-9_$]*) = require\("(\.\/[A-Za-z0-9_.-]+)"\);$/gm;
const compile = Module.prototype._compile;

function lazyExport(_line, name, target) {
  return (
    `Object.defineProperty(exports, ${JSON.stringify(name)}, { enumerable: true, configurable: true, get() {` +
    ` const loaded = require(${JSON.stringify(target)});` +
    ` Object.defineProperty(exports, ${JSON.stringify(name)}, { value: loaded, enumerable: true, writable: true, configurable: true });` +
    ` return loaded; } });`
  );
}

Module.prototype._compile = function compileProviderIndexLazily(content, filename) {
  if (PROVIDER_INDEX.test(filename)) {
    content = content.replace(EAGER_EXPORT, lazyExport);
  }
  return compile.call(this, content, filename);
};
