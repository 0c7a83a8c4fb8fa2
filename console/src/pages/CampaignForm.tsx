import { useState, type FormEvent, type ReactNode } from "react";
import type { CampaignStatus } from "../gql/graphql";
import { RequestError, UserErrors, type UserErrorLike } from "../ui";

export const CAMPAIGN_STATUSES: CampaignStatus[] = ["DRAFT", "ACTIVE", "PAUSED", "COMPLETED", "ARCHIVED"];

/** What the campaign form edits, as the API takes it. */
export type CampaignValues = { name: string; objective: string | null; status: CampaignStatus; budgetUsd: number | null };

/** The campaign fields (name, objective, status, budget) for both creating and editing a campaign. */
export function CampaignForm(props: {
  initial?: Partial<CampaignValues>;
  ariaLabel?: string;
  error?: Parameters<typeof RequestError>[0]["error"];
  userErrors: readonly UserErrorLike[];
  onSubmit: (values: CampaignValues) => void | Promise<void>;
  actions: ReactNode;
}) {
  const init = props.initial ?? {};
  const [name, setName] = useState(init.name ?? "");
  const [objective, setObjective] = useState(init.objective ?? "");
  const [status, setStatus] = useState<CampaignStatus>(init.status ?? "ACTIVE");
  const [budget, setBudget] = useState(init.budgetUsd != null ? String(init.budgetUsd) : "");

  function submit(e: FormEvent) {
    e.preventDefault();
    void props.onSubmit({ name, objective: objective || null, status, budgetUsd: budget ? Number(budget) : null });
  }

  return (
    <form className="grid-form" onSubmit={submit} aria-label={props.ariaLabel}>
      <label>
        Name
        <input name="campaignName" required value={name} onChange={(e) => setName(e.target.value)} />
      </label>
      <label>
        Objective
        <input name="objective" value={objective} onChange={(e) => setObjective(e.target.value)} />
      </label>
      <label>
        Status
        <select name="status" value={status} onChange={(e) => setStatus(e.target.value as CampaignStatus)}>
          {CAMPAIGN_STATUSES.map((s) => (
            <option key={s} value={s}>
              {s.toLowerCase()}
            </option>
          ))}
        </select>
      </label>
      <label>
        Budget (USD)
        <input name="budget" type="number" min="0" step="0.01" value={budget} onChange={(e) => setBudget(e.target.value)} />
      </label>
      <UserErrors errors={props.userErrors} />
      <RequestError error={props.error} />
      <div className="actions">{props.actions}</div>
    </form>
  );
}
