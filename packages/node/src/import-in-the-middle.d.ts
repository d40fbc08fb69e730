// import-in-the-middle ships this module (a Node.js version check, no imports) without a declaration.
declare module 'import-in-the-middle/supports-sync-hooks.mjs' {
  export function supportsSyncHooks(): boolean;
}
