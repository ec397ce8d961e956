// The one spelling of an E.164 number every Frontdesk phone column and SQL function takes. Its own module, without
// libphonenumber-js, so input schemas can check the shape without loading the library's metadata.
export const E164 = /^\+[1-9]\d{6,14}$/;
