// An interrupted `adopt` stops its work in the databases too. Two layers:
//   * every session asks the server to check, once a second while a statement runs, that the client is still
//     there (`client_connection_check_interval`, PostgreSQL 14+): a client killed outright (kill -9, a closed
//     terminal) gets its statement cancelled and its transaction rolled back within about a second, instead of a
//     rollback deleting on for minutes with nobody waiting for it;
//   * on SIGINT / SIGTERM the CLI cancels its own backends (found by this process's application_name) before it
//     exits, so the work stops at once and, with it, every open transaction rolls back.
import postgres from "postgres";
import { noDelay } from "./socket.ts";

/** Names this process's sessions in pg_stat_activity. */
export const APP_NAME = `frontdesk-adopt/${process.pid}`;

/** Startup parameters of every adopt session (see above). */
export const CLIENT_CHECK = { client_connection_check_interval: "1000" } as const;

/** Connects with CLIENT_CHECK, or without it where the server does not know the setting (before PostgreSQL 14) or a
 * pooler refuses it; then only the signal handler's cancel stops the work. */
export async function withClientCheck(open: (extra: Record<string, string>) => postgres.Sql): Promise<postgres.Sql> {
  const sql = open({ ...CLIENT_CHECK });
  try {
    await sql`select 1`;
    return sql;
  } catch (err) {
    // Unknown to the server (42704), or refused by a pooler in between ("unsupported startup parameter …").
    const e = err as { code?: string; message?: string };
    if (e.code !== "42704" && !String(e.message ?? "").includes("client_connection_check_interval")) {
      await sql.end({ timeout: 0 }).catch(() => {});
      throw err;
    }
    await sql.end({ timeout: 0 }).catch(() => {});
    return open({});
  }
}

/** Cancels the running statements of this process's sessions on each server (best effort, a few seconds at most). */
export async function cancelOwnBackends(urls: (string | undefined)[]): Promise<number> {
  let cancelled = 0;
  await Promise.all([...new Set(urls.filter((u): u is string => !!u))].map(async (url) => {
    const sql = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 3, ...noDelay, connection: { application_name: `${APP_NAME}/cancel` } });
    try {
      const rows = await sql`
        select pg_cancel_backend(pid) as ok from pg_stat_activity
        where application_name = ${APP_NAME} and pid <> pg_backend_pid() and state <> 'idle'`;
      cancelled += rows.filter((r) => r.ok).length;
    } catch {
      // Unreachable now: the server's own client check still ends the work.
    } finally {
      await sql.end({ timeout: 0 }).catch(() => {});
    }
  }));
  return cancelled;
}
