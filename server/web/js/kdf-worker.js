// Argon2id password stretching (KDF v1, see toz.js) off the main thread, so the page stays
// responsive and the progress indicator keeps moving. One message in, one out, then the page
// terminates the worker (which frees the 64 MiB of WebAssembly memory).

import sodium from '../vendor/libsodium-wrappers-sumo.mjs';
import { KDF, unb64 } from './toz.js';

self.onmessage = async (event) => {
  try {
    await sodium.ready;
    const { password, salt } = event.data;
    const saltBytes = unb64(salt, 'salt');
    if (saltBytes.length !== sodium.crypto_pwhash_SALTBYTES) throw new Error('salt must be 16 bytes');
    const derived = sodium.crypto_pwhash(KDF.bytes, password, saltBytes, KDF.opslimit, KDF.memlimit,
      sodium.crypto_pwhash_ALG_ARGON2ID13);
    const key = new Uint8Array(derived);
    sodium.memzero(derived);
    self.postMessage({ key }, [key.buffer]);
  } catch (e) {
    self.postMessage({ error: String((e && e.message) || e) });
  }
};
