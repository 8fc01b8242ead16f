"""演示数据: a realistic demo county (泽州县) with ten weeks of history, loaded through the
application service as the people in the field would: `load_demo(app)`.

Everything is planned first (seeded random: the same seed gives the same county and
the same story), then every command is issued at its moment, in time order, on a
ManualClock moved along the plan: the app's own if it is one, else a temporary one
(the app's clock is put back afterwards). Nothing is written around the application
service and the package does no I/O of its own. Deadlines and thresholds are the
county's policy as the app holds it (domain.policies); the numbers that shape the
story are named at the top of the module that owns them.

Who does what, in reading order:

- load: the entry point; registers the county and runs the rest.
- rules: the county's policy values the story is laid against.
- schedule: the story's ten weeks, Beijing working hours, the queue of commands.
- county, people: the county, its communities and units; names and phone numbers.
- registration: the plan of who registers (members, reviews, 三亮, unit counts).
- plans: the story's plan as data (residents, needs, steps, activities, meetings).
- story: residents, what each need is, who asked, the monthly matching meetings.
- need_texts: what the needs and everyone along the way say.
- flow: the building blocks of a need's story (who may serve, how a need moves).
- fates: the spread of how needs end, and the steps of each fate.
- placement: when each need is posted, so that its story fits before today.
- activities: group activities, planned and issued.
- field: the load in progress (ids made so far, who acts).
- directory: communities, units, pairings, members, residents, issued.
- orders: each need's steps issued, and the matching meetings.
- sweeper: the simulated sweeper of the order deadlines.
- points_evaluation: partners, catalogues, redemptions, evaluation, stars.
- inspections: 两随机一公开, the supervision team's plans in every telling state.
- summary: the counts a load returns.
"""

from domain.demo.load import load_demo

__all__ = ["load_demo"]
