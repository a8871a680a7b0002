/**
 * The AWS credentials of the function bundles. Lambda hands a function its role's credentials in
 * the environment, and the SDK's default chain looks there first; the rest of the chain (profiles,
 * SSO, web identity, processes, container and instance metadata, and the STS and SSO clients they
 * need) is most of the SDK's code in a bundle, and parsing it is a large part of a cold start.
 *
 * So the build (`testing/local/build.ts`) puts this module in place of
 * `@aws-sdk/credential-provider-node` in every function bundle, and ships the SDK's whole chain
 * beside it as a file of its own, {@link FULL_CHAIN_FILE}, which is loaded only when the
 * environment holds no credentials (or names a profile): wherever the bundle runs, it finds the
 * credentials the SDK would have found, in the same order. The sources use the SDK as it is.
 */
import { fromEnv } from "@aws-sdk/credential-provider-env";
import type { defaultProvider as sdkDefaultProvider } from "@aws-sdk/credential-provider-node";

/** The SDK's default provider factory: what this module stands in for. */
export type DefaultProviderFactory = typeof sdkDefaultProvider;
type Init = NonNullable<Parameters<DefaultProviderFactory>[0]>;
type Provider = ReturnType<DefaultProviderFactory>;

/** The SDK's whole default chain, bundled on its own beside the function's `index.cjs`. */
export const FULL_CHAIN_FILE = "credentials.cjs";

/** Where the SDK's chain comes from, and which profile the environment names. */
export interface EnvironmentFirstOptions {
  /** Loads the SDK's whole default chain; called at most once, and only when needed. */
  readonly loadFullChain: () => DefaultProviderFactory;
  /** `AWS_PROFILE`: a profile named there is the SDK's choice over credentials in the environment. */
  readonly profile: () => string | undefined;
}

/**
 * A provider factory with the SDK default chain's behaviour: the environment's credentials when
 * it has them and no profile is named, otherwise the SDK's own chain, loaded then.
 */
export function environmentFirstProvider(options: EnvironmentFirstOptions): DefaultProviderFactory {
  return (init: Init = {}): Provider => {
    const environment = fromEnv(init);
    let fullChain: Provider | undefined;
    return async (properties) => {
      if (!(init.profile ?? options.profile())) {
        try {
          return await environment(properties);
        } catch {
          // None there: the SDK's chain tries the environment again and says what it found.
        }
      }
      fullChain ??= options.loadFullChain()(init);
      return fullChain(properties);
    };
  };
}

/** The factory the bundled SDK clients call, in place of the SDK's `defaultProvider`. */
export const defaultProvider: DefaultProviderFactory = environmentFirstProvider({
  // A literal require of the file beside the bundle (FULL_CHAIN_FILE), which the build marks
  // external; esbuild would read a computed one as a pattern and bundle what it matches.
  loadFullChain: () =>
    (require("./credentials.cjs") as { defaultProvider: DefaultProviderFactory }).defaultProvider,
  // biome-ignore lint/style/noProcessEnv: the SDK's own setting, read as the SDK reads it
  profile: () => process.env.AWS_PROFILE || undefined,
});
