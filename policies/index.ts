// The CrossGuard entry point. Constructing a PolicyPack starts the analyzer's gRPC server, so this
// file does nothing else but make the server decode each answer once (./decode-once.ts); the rules
// live in ./rules (imported by the offline plan and tests too).
import { PolicyPack } from "@pulumi/policy";
import { decodeOnce } from "./decode-once";
import { ALL_POLICIES } from "./rules/all";

decodeOnce();

new PolicyPack("infrasage-residency", {
  policies: ALL_POLICIES,
  description: "InfraSage: telemetry stays in its region's jurisdiction; security baseline of each regional install.",
  enforcementLevel: "mandatory",
});
