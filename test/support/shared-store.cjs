/**
 * `npm test`'s workers share the plans they make (offline/remembered.ts, SharedStore): the suite's
 * config (parallel.mocharc.cjs) makes a folder for the run and names it in INFRASAGE_TEST_SHARED_DIR.
 * A root hook hands each worker's memory the store before a file's tests (required here lazily: the
 * main process loads this file too, and must not load the SDKs). An entry is written whole (a rename);
 * a store that fails is a store that forgets, never a failed test.
 */
const { readFileSync, renameSync, writeFileSync } = require("node:fs");
const { join } = require("node:path");

const dir = process.env.INFRASAGE_TEST_SHARED_DIR;
let writes = 0;
const store = dir && {
  read(key) {
    try {
      return readFileSync(join(dir, key));
    } catch {
      return undefined;
    }
  },
  write(key, value) {
    const tmp = join(dir, `.${key}.${process.pid}.${writes++}`);
    try {
      writeFileSync(tmp, value);
      renameSync(tmp, join(dir, key));
    } catch {
      // The folder is gone (the run is ending) or full: nothing is kept.
    }
  },
};

exports.mochaHooks = {
  beforeAll() {
    if (store) require("../../offline/remembered").memory.shared = store;
  },
};
