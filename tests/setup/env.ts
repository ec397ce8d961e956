// What a function would find in its environment, for `_shared` modules imported directly by tests.
import { jwtSecret, publicJwks } from "../../local/keys.ts";

process.env.SUPABASE_URL ??= "http://127.0.0.1:54321";
process.env.SUPABASE_JWKS = JSON.stringify(publicJwks());
process.env.JWT_SECRET = jwtSecret();
