import { CaptureTag, Liquid, Tag, toValue, type Context, type Emitter, type FS, type TagToken, type TopLevelToken } from 'liquidjs';

/**
 * Campaign templates are data from API callers, rendered for thousands of people: they must
 * never reach the file system, the network or the process. LiquidJS reads files only through
 * `include`, `render` and `layout` (and its `fs`); those tags are replaced by one that refuses
 * to parse, and the engine's file system refuses every call, so a tag that slipped through
 * still could not read a byte.
 */
export const REFUSED_TAGS = ['include', 'render', 'layout'] as const;

export class TemplateTagRefused extends Error {
  constructor(readonly tag: string) {
    super(`${tag} is not supported in campaign templates`);
    this.name = 'TemplateTagRefused';
  }
}

const refuse = (): never => {
  throw new Error('campaign templates have no file system');
};
const noFileSystem: FS = {
  exists: async () => false,
  existsSync: () => false,
  readFile: async () => refuse(),
  readFileSync: () => refuse(),
  resolve: () => refuse(),
  contains: async () => false,
  sep: '/',
};

function refusedTag(name: string) {
  return class extends Tag {
    constructor(token: TagToken, remainTokens: TopLevelToken[], liquid: Liquid) {
      super(token, remainTokens, liquid);
      throw new TemplateTagRefused(name);
    }
    render(): void {}
  };
}

/** Writes output while charging it to the render's memory budget (template-budget.ts). */
export class ChargingEmitter implements Emitter {
  buffer = '';
  constructor(private readonly ctx: Context) {}
  write(html: unknown): void {
    const text = stringify(html);
    this.ctx.memoryLimit.use(text.length);
    this.buffer += text;
  }
}

/** LiquidJS's own stringify (not exported): what `{{ value }}` prints. */
function stringify(value: unknown): string {
  const v = toValue(value);
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.map(stringify).join('');
  return String(v);
}

/**
 * `capture` renders into a string of its own that LiquidJS does not charge to any budget, so
 * `{% capture s %}{{ s }}{{ s }}{% endcapture %}` in a loop doubles a string per step (2^30
 * characters after 30 steps). This one charges what it captures.
 */
class ChargedCaptureTag extends CaptureTag {
  override *render(ctx: Context): Generator<unknown, void, unknown> {
    const emitter = new ChargingEmitter(ctx);
    yield this.liquid.renderer.renderTemplates(this.templates, ctx, emitter);
    ctx.bottom()[this.variable] = emitter.buffer;
  }
}

/**
 * A missing variable renders as '' (Jinja's default); unknown filters are parse errors;
 * `ownPropertyOnly` keeps templates off prototypes. The limits here are LiquidJS's own
 * defaults for a render; template-budget.ts replaces them per render.
 */
export function createTemplateEngine(): Liquid {
  const liquid = new Liquid({
    strictFilters: true,
    strictVariables: false,
    ownPropertyOnly: true,
    fs: noFileSystem,
    root: [],
    partials: [],
    layouts: [],
    relativeReference: false,
    dynamicPartials: false,
    // A template is a message, not a page: 100,000 characters of source at most.
    parseLimit: 100_000,
    renderLimit: 100,
    memoryLimit: 1_000_000,
  });
  for (const name of REFUSED_TAGS) liquid.registerTag(name, refusedTag(name));
  liquid.registerTag('capture', ChargedCaptureTag);
  return liquid;
}
