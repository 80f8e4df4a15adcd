// The CrossGuard entry point. Constructing a PolicyPack starts the analyzer's gRPC server, so this
// file does nothing else; the rules live in ./rules (imported by the offline plan and tests too).
import { PolicyPack } from "@pulumi/policy";
import { ALL_POLICIES } from "./rules/all";

new PolicyPack("infrasage-residency", {
  policies: ALL_POLICIES,
  description: "InfraSage: telemetry stays in its region's jurisdiction; security baseline of each regional install.",
  enforcementLevel: "mandatory",
});
