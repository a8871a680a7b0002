/**
 * The credential split of the bundles: the environment's credentials (what Lambda sets) without
 * loading the SDK's whole chain, and the SDK's own chain otherwise, with the SDK's choice in every
 * case (the SDK's `defaultProvider` is the oracle).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultProvider as sdkDefaultProvider } from "@aws-sdk/credential-provider-node";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { environmentFirstProvider } from "../../lib/ingest/aws/credentials.ts";

const ENVIRONMENT_KEYS = { id: "AKIAENVIRONMENT00001", secret: "environment-secret" };
const FILE_KEYS = { id: "AKIAPROFILEDEFAULT01", secret: "profile-default-secret" };
const NAMED_KEYS = { id: "AKIAPROFILENAMED0001", secret: "profile-named-secret" };

let dir: string;

// Every variable the SDK's chain reads is pinned, so that the machine's own never leak in.
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "relay-credentials-"));
  const credentialsFile = join(dir, "credentials");
  writeFileSync(
    credentialsFile,
    `[default]\naws_access_key_id = ${FILE_KEYS.id}\naws_secret_access_key = ${FILE_KEYS.secret}\n` +
      `[named]\naws_access_key_id = ${NAMED_KEYS.id}\naws_secret_access_key = ${NAMED_KEYS.secret}\n`,
  );
  writeFileSync(join(dir, "config"), "");
  vi.stubEnv("AWS_SHARED_CREDENTIALS_FILE", credentialsFile);
  vi.stubEnv("AWS_CONFIG_FILE", join(dir, "config"));
  vi.stubEnv("AWS_EC2_METADATA_DISABLED", "true");
  vi.stubEnv("AWS_PROFILE", "");
  vi.stubEnv("AWS_ACCESS_KEY_ID", "");
  vi.stubEnv("AWS_SECRET_ACCESS_KEY", "");
  vi.stubEnv("AWS_SESSION_TOKEN", "");
  vi.stubEnv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "");
  vi.stubEnv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "");
  vi.stubEnv("AWS_WEB_IDENTITY_TOKEN_FILE", "");
});

afterEach(() => {
  vi.unstubAllEnvs();
  rmSync(dir, { recursive: true, force: true });
});

function withEnvironmentKeys(): void {
  vi.stubEnv("AWS_ACCESS_KEY_ID", ENVIRONMENT_KEYS.id);
  vi.stubEnv("AWS_SECRET_ACCESS_KEY", ENVIRONMENT_KEYS.secret);
}

// The provider under test, counting how often it loads the SDK's chain.
function splitProvider() {
  const loads = { count: 0 };
  const factory = environmentFirstProvider({
    loadFullChain: () => {
      loads.count += 1;
      return sdkDefaultProvider;
    },
    profile: () => process.env.AWS_PROFILE || undefined,
  });
  return { factory, loads };
}

async function keyIdOf(provider: () => Promise<{ accessKeyId: string }>): Promise<string> {
  return (await provider()).accessKeyId;
}

describe("environmentFirstProvider", () => {
  it("returns the environment's credentials without loading the SDK's chain", async () => {
    // Prepare
    withEnvironmentKeys();
    const { factory, loads } = splitProvider();

    // Act
    const keyId = await keyIdOf(factory());

    // Assess
    expect(keyId).toBe(ENVIRONMENT_KEYS.id);
    expect(loads.count).toBe(0);
    expect(keyId).toBe(await keyIdOf(sdkDefaultProvider()));
  });

  it("loads the SDK's chain once when the environment has no credentials, and finds the profile's", async () => {
    // Prepare
    const { factory, loads } = splitProvider();
    const provider = factory();

    // Act
    const first = await keyIdOf(provider);
    const second = await keyIdOf(provider);

    // Assess
    expect([first, second]).toEqual([FILE_KEYS.id, FILE_KEYS.id]);
    expect(loads.count).toBe(1);
    expect(first).toBe(await keyIdOf(sdkDefaultProvider()));
  });

  it("prefers a profile named in AWS_PROFILE over the environment's credentials, as the SDK does", async () => {
    // Prepare
    withEnvironmentKeys();
    vi.stubEnv("AWS_PROFILE", "named");
    const { factory } = splitProvider();
    // The SDK warns once about the two sources; the warning is not under test.
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);

    // Act
    const keyId = await keyIdOf(factory());

    // Assess
    expect(keyId).toBe(NAMED_KEYS.id);
    expect(keyId).toBe(await keyIdOf(sdkDefaultProvider()));
    warn.mockRestore();
  });

  it("prefers a profile the client is given over the environment's credentials, as the SDK does", async () => {
    // Prepare
    withEnvironmentKeys();
    const { factory } = splitProvider();

    // Act
    const keyId = await keyIdOf(factory({ profile: "named" }));

    // Assess
    expect(keyId).toBe(NAMED_KEYS.id);
    expect(keyId).toBe(await keyIdOf(sdkDefaultProvider({ profile: "named" })));
  });

  it("fails as the SDK's chain fails when no source has credentials", async () => {
    // Prepare
    vi.stubEnv("AWS_SHARED_CREDENTIALS_FILE", join(dir, "none"));
    const { factory } = splitProvider();

    // Act
    const failure = factory()().catch((error: unknown) => error);

    // Assess
    expect(await failure).toMatchObject({ name: "CredentialsProviderError" });
  });
});
