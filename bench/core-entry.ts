/** What the benches need from the core, bundled by bench/bundle-core.mjs. */
export { createCore, localActor } from '@core/index';
export { secretAad } from '@core/secrets/secret-service';
export { sealV1, openV1 } from '@core/vault/envelope';
