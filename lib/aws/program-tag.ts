/**
 * The tag every resource of the program carries (the stack's default tags, lib/config/parse.ts). The
 * bootstrap's deploy policy limits role changes without a boundary condition to roles with it.
 */
export const PROGRAM_TAG = { key: "Project", value: "infrasage" } as const;
