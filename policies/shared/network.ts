/** Network limits shared by the subnet plan (lib/network/subnet-plan.ts) and the policy pack's link rules. */

/** AWS rejects VPCs larger than /16. */
export const MIN_VPC_PREFIX = 16;
