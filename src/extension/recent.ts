// Most-recent-first lists kept in globalState: the sources the user picked and the runs they opened.

/** The part of vscode.Memento this needs, so the list can be tested without VS Code. */
export interface MementoLike {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): Thenable<void>;
}

export class RecentList {
  constructor(private readonly memento: MementoLike, private readonly key: string, private readonly max = 10) {}

  items(): string[] {
    const stored = this.memento.get<unknown>(this.key);
    return Array.isArray(stored) ? stored.filter((x): x is string => typeof x === 'string').slice(0, this.max) : [];
  }

  async push(value: string): Promise<void> {
    await this.memento.update(this.key, [value, ...this.items().filter((x) => x !== value)].slice(0, this.max));
  }

  async remove(value: string): Promise<void> {
    await this.memento.update(this.key, this.items().filter((x) => x !== value));
  }
}
