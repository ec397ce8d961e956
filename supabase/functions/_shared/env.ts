// Reads configuration the same way under Deno (Edge Functions) and Node (tests, CLIs), so `_shared` modules run in
// both and are tested directly.
type DenoLike = { env: { get(name: string): string | undefined } };
type ProcessLike = { env: Record<string, string | undefined> };

export function env(name: string): string | undefined {
  const deno = (globalThis as { Deno?: DenoLike }).Deno;
  const value = deno ? deno.env.get(name) : (globalThis as { process?: ProcessLike }).process?.env[name];
  return value === "" ? undefined : value;
}

export function requireEnv(name: string): string {
  const value = env(name);
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
}
