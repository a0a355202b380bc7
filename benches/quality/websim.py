"""Web-session simulator with a known ground truth (benches/README.md, "Quality of learned
points"): visitors who arrive from a source, browse over one or more sessions, use a pricing
calculator, view plans, ask for quotes, and are identified with a role and a company size.
Seeded: the same arguments write the same files. Nothing of it is committed as data.

    python3 websim.py OUT_DIR [--visitors 20000] [--seed 19]

writes OUT_DIR/events.jsonl (contract events, docs/contracts.md), OUT_DIR/outcomes.csv
(visitor,converted) and OUT_DIR/features.csv (per visitor, what an analyst aggregates from the
same events: the table scikit-learn learns from), and OUT_DIR/truth.csv (each visitor's true
log-odds, for the best AUC any model could reach).

THE TRUTH. Behaviour follows a hidden intent (so signals are correlated, as on a real site),
but conversion depends only on what the events show, with these log-odds:

    -2.4
    + 1.2  a quote for 50 seats or more            (a band of an event property)
    + 0.4  any quote
    + 0.9  the first visit came from G2            (a source)
    - 0.6  the first visit came from social media  (a source)
    + 1.4  a buyer (VP / head) who viewed pricing  (a combination; each alone: 0)
    + 0.8  viewed the enterprise plan at a company of 200+ employees (a combination)
    + 0.5  three sessions or more
    - 1.0  a student
    + 0.3  ten minutes or more of engaged time
    - 0.8  viewed careers
"""
import argparse
import csv
import json
import math
import random
from pathlib import Path

START_MS = 1_767_571_200_000  # 2026-01-05T00:00:00Z
DAY = 86_400_000
MINUTE = 60_000

SOURCES = [  # (name, weight, search, referrer)
    ("google-cpc", 0.28, "?utm_source=google&utm_medium=cpc&utm_campaign=brand", "https://www.google.com/"),
    ("google-organic", 0.20, None, "https://www.google.com/"),
    ("g2", 0.10, "?utm_source=g2&utm_medium=referral", "https://www.g2.com/products/acme/reviews"),
    ("linkedin", 0.15, "?utm_source=linkedin&utm_medium=social", "https://www.linkedin.com/"),
    ("newsletter", 0.10, "?utm_source=newsletter&utm_medium=email", None),
    ("direct", 0.17, None, None),
]
ROLES = [("buyer", 0.3), ("practitioner", 0.5), ("student", 0.2)]
TITLES = {"buyer": ["VP Marketing", "Head of Sales", "VP Revenue Operations"],
          "practitioner": ["Marketing Manager", "Sales Ops Analyst", "Engineer"],
          "student": ["Student", "Intern"]}
SECTIONS = ["/blog/", "/pricing", "/integrations/", "/docs/", "/careers", "/customers/"]
PLANS = ["starter", "team", "enterprise"]


def pick(rng, weighted):
    r, acc = rng.random(), 0.0
    for item, w in weighted:
        acc += w
        if r < acc:
            return item
    return weighted[-1][0]


def sigmoid(x):
    return 1 / (1 + math.exp(-x))


def visitor(rng, index):
    """One visitor's events and features."""
    vid = f"w{index:06d}"
    intent = rng.gauss(0, 1)
    source = pick(rng, [(s, s[1]) for s in SOURCES])
    role = pick(rng, ROLES) if rng.random() < 0.75 else None
    employees = int(math.exp(rng.gauss(4.3 + 0.3 * intent, 1.4))) if rng.random() < 0.7 else None
    sessions = 1 + min(9, int(rng.expovariate(1 / max(0.3, 1.2 + 0.6 * intent))))
    t = START_MS + index * 37_000
    events = []
    f = {"sessions": sessions, "page_views": 0, "engaged_seconds": 0.0,
         "quotes": 0, "quote_seats_max": 0.0, "calculator_seats_max": 0.0, "plan_last": "none",
         "webinars": 0, "source": source[0]}
    for section in SECTIONS:
        f["views" + section.strip("/").replace("/", "_")] = 0
    viewed = set()
    plans = set()
    for s in range(sessions):
        at = t + s * (DAY + rng.randrange(0, 6 * DAY))
        pages = 1 + int(rng.expovariate(1 / max(0.5, 2.5 + intent)))
        for p in range(min(pages, 25)):
            weights = [(".blog", 3), ("/pricing", 1.0 + max(0, intent)), ("/integrations/", 1),
                       ("/docs/", 1), ("/careers", 0.3 if role != "student" else 1.2),
                       ("/customers/", 0.7)]
            section = pick(rng, [(w[0], w[1] / sum(x[1] for x in weights)) for w in weights])
            section = "/blog/" if section == ".blog" else section
            path = section + (f"post-{rng.randrange(40)}" if section.endswith("/") else "")
            props = {"path": path}
            if s == 0 and p == 0:
                if source[2]:
                    props["search"] = source[2]
                if source[3]:
                    props["referrer"] = source[3]
            events.append({"type": "page", "userId": vid, "timestamp": at, "properties": props})
            f["page_views"] += 1
            f["views" + section.strip("/").replace("/", "_")] += 1
            viewed.add(section)
            seconds = round(rng.expovariate(1 / max(10.0, 40 + 25 * intent)))
            at += MINUTE
            events.append({"type": "engagement", "userId": vid, "timestamp": at,
                           "properties": {"path": path, "seconds": seconds}})
            f["engaged_seconds"] += seconds
            at += MINUTE
            if section == "/pricing":
                if rng.random() < 0.5:
                    seats = max(1, int(math.exp(rng.gauss(2.8 + 0.5 * intent, 1.1))))
                    events.append({"type": "track", "userId": vid, "timestamp": at,
                                   "event": "Pricing Calculator Used", "properties": {"seats": seats}})
                    f["calculator_seats_max"] = max(f["calculator_seats_max"], seats)
                    at += MINUTE
                if rng.random() < 0.5:
                    plan = rng.choices(PLANS, [1.0, 1.0, 0.4 + 0.4 * max(0, intent)])[0]
                    plans.add(plan)
                    events.append({"type": "track", "userId": vid, "timestamp": at,
                                   "event": "Plan Viewed", "properties": {"plan": plan.title()}})
                    f["plan_last"] = plan
                    at += MINUTE
                if rng.random() < sigmoid(intent - 1.2):
                    seats = max(1, int(math.exp(rng.gauss(3.0 + 0.4 * intent, 1.2))))
                    events.append({"type": "track", "userId": vid, "timestamp": at,
                                   "event": "Quote Requested", "properties": {"seats": seats}})
                    f["quotes"] += 1
                    f["quote_seats_max"] = max(f["quote_seats_max"], seats)
                    at += MINUTE
            if section == "/customers/" and rng.random() < 0.15:
                events.append({"type": "track", "userId": vid, "timestamp": at,
                               "event": "Webinar Registered", "properties": {"topic": "scoring"}})
                f["webinars"] += 1
                at += MINUTE
    traits = {}
    if role:
        traits["role"] = role
        traits["title"] = rng.choice(TITLES[role])
    if employees is not None:
        traits["company"] = {"employee_count": employees}
    if traits:
        events.append({"type": "identify", "userId": vid, "timestamp": at + MINUTE, "traits": traits})
    f["role"] = role or "none"
    f["employees"] = employees if employees is not None else -1
    logit = (-2.4
             + 1.2 * (f["quote_seats_max"] >= 50)
             + 0.4 * (f["quotes"] > 0)
             + 0.9 * (source[0] == "g2")
             - 0.6 * (source[0] == "linkedin")
             + 1.4 * (role == "buyer" and "/pricing" in viewed)
             + 0.8 * ("enterprise" in plans and (employees or 0) >= 200)
             + 0.5 * (sessions >= 3)
             - 1.0 * (role == "student")
             + 0.3 * (f["engaged_seconds"] >= 600)
             - 0.8 * ("/careers" in viewed))
    f["plans_enterprise"] = int("enterprise" in plans)
    converted = rng.random() < sigmoid(logit)
    return vid, events, f, converted, logit


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out")
    parser.add_argument("--visitors", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=19)
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(args.seed)
    count = 0
    with open(out / "events.jsonl", "w") as ev, open(out / "outcomes.csv", "w", newline="") as oc, \
            open(out / "features.csv", "w", newline="") as fe, open(out / "truth.csv", "w", newline="") as tr:
        outcomes, truth = csv.writer(oc), csv.writer(tr)
        outcomes.writerow(["visitor", "converted"])
        truth.writerow(["visitor", "logit"])
        features = None
        for i in range(args.visitors):
            vid, events, f, converted, logit = visitor(rng, i)
            for e in events:
                ev.write(json.dumps(e, separators=(",", ":")) + "\n")
            count += len(events)
            if features is None:
                features = csv.DictWriter(fe, ["visitor", *f.keys()])
                features.writeheader()
            features.writerow({"visitor": vid, **f})
            outcomes.writerow([vid, int(converted)])
            truth.writerow([vid, f"{logit:.6f}"])
    print(f"websim: {args.visitors} visitors, {count} events → {out}")


if __name__ == "__main__":
    main()
