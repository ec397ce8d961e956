// A transform answers with a value (text as COPY will send it), null (nothing there), or Invalid with the reason the
// plan reports. A class rather than exceptions: a million rows with a few bad values must not pay for stack traces.
export class Invalid {
  constructor(readonly reason: string) {}
}

export type Out = string | null | Invalid;
