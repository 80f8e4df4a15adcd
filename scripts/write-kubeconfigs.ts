/**
 * `npm run kubeconfigs [-- STACK...]`: writes each stack's kubeconfig output to ~/.kube/<stack>
 * (mode 0600) for `KUBECONFIG=~/.kube/eu-west-1:~/.kube/ap-south-1 kubectl config get-contexts`.
 * The secret goes from `pulumi stack output --show-secrets` straight into the file: nothing is
 * printed but paths. Default: every Pulumi.<stack>.yaml of the project.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync, chmodSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { findProject, listStackFiles, stackNameOf } from "../offline/stack-file";
import { mergeKubeconfigs } from "../lib/kubeconfig";

function main(argv: readonly string[]): number {
  const root = findProject(process.cwd()).root;
  const stacks = argv.length > 0 ? [...argv] : listStackFiles(root).map((f) => stackNameOf(f)!);
  const dir = join(homedir(), ".kube");
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const written: string[] = [];
  const texts: string[] = [];
  for (const stack of stacks) {
    let text: string;
    try {
      text = execFileSync("pulumi", ["stack", "output", "kubeconfig", "--show-secrets", "--stack", stack], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    } catch (e) {
      const stderr = (e as { stderr?: string }).stderr ?? (e as Error).message;
      process.stderr.write(`${stack}: could not read the kubeconfig output (is the stack deployed and the Pulumi CLI logged in?): ${stderr.trim().split("\n")[0]}\n`);
      return 1;
    }
    const path = join(dir, stack);
    writeFileSync(path, text, { mode: 0o600 });
    chmodSync(path, 0o600);
    written.push(path);
    texts.push(text);
  }
  // Fails loudly if two stacks' kubeconfigs would shadow each other's contexts when merged.
  mergeKubeconfigs(texts);
  process.stdout.write(`wrote ${written.join(", ")}\nexport KUBECONFIG=${written.join(":")}\n`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
