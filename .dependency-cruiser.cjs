/**
 * The layering, checked in CI (`npm run lint:deps`): index.ts -> stack.ts -> components/ -> lib/, with
 * policies/ standing alone (it is published by itself) and offline/ beside the program, never inside it.
 */
module.exports = {
  forbidden: [
    { name: "no-circular", severity: "error", comment: "A cycle makes a module's constants undefined depending on which one loads first.", from: {}, to: { circular: true } },
    { name: "lib-stays-pure", severity: "error", comment: "lib/ is pure logic: it never imports components, the offline plan or the program.", from: { path: "^lib/" }, to: { path: "^(components/|offline/|stack\\.ts$|index\\.ts$|scripts/|bootstrap/)" } },
    { name: "components-below-program", severity: "error", comment: "Components wire resources; they never import the program or the offline plan.", from: { path: "^components/" }, to: { path: "^(offline/|stack\\.ts$|index\\.ts$|scripts/)" } },
    { name: "policies-self-contained", severity: "error", comment: "The policy pack is published alone: nothing outside policies/ (packages aside).", from: { path: "^policies/" }, to: { path: "^(?!policies/)", dependencyTypesNot: ["npm", "npm-dev", "npm-optional", "npm-peer", "npm-no-pkg", "npm-unknown", "core"] } },
    { name: "bootstrap-never-imports-offline", severity: "error", comment: "The bootstrap program is deployed too: it never loads the offline plan.", from: { path: "^bootstrap/" }, to: { path: "^offline/" } },
    { name: "program-never-imports-offline", severity: "error", comment: "The deployed program never loads the offline plan.", from: { path: "^(stack\\.ts|index\\.ts|components/|lib/)" }, to: { path: "^offline/" } },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)node_modules/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
  },
};
