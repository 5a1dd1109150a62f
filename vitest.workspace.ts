// The list of test projects. vitest >= 4 no longer reads this file by itself, so the root
// vitest.config.ts imports it: adding a package here is the one place to register its tests.
// packages/test-support holds what the tests share and has no tests of its own; scripts/bench has a
// smoke test of the benchmark (every target runs a few hundred messages, exactly-once checked).
export default ["packages/*", "!packages/test-support", "scripts/bench"];
