// Pulumi entry point of the bootstrap project: the stack outputs are what defineBootstrap returns.
import { defineBootstrap } from "./program";

export = defineBootstrap();
