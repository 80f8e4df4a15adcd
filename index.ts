// Pulumi entry point: the stack outputs are whatever defineStack returns (see stack.ts).
import { defineStack } from "./stack";

export = defineStack();
