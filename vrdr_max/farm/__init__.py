"""The farm manager's client: Deadline's Web Service first (docs/farm.md).

The farm schedules; vrdr is its client and never grows a scheduler. This package is the only
place in vrdr that speaks HTTP:

* ``urls``: the Web Service URL as the user gives it (checked, never echoed with a password);
* ``errors``: what can go wrong talking to it, each naming the URL and the HTTP status;
* ``credentials``: HTTP Basic credentials from ``--user`` and ``VRDR_DEADLINE_PASSWORD``/a prompt;
* ``http``: a small client over the standard library (explicit timeouts, system CAs, no proxy);
* ``deadline``: the Deadline 10 REST routes vrdr uses, typed answers, unverified field names;
* ``records``: reservations on record in vrdr's user folder;
* ``reservation``: reserve, probe, write the cfg, release, as one transaction;
* ``fields``: ``vrdr farm fieldcheck``, which reads what vrdr relies on and submits nothing;
* ``stand_in``: a stand-in Deadline Web Service on loopback (the farm tests, benchmarks and
  ``vrdr panel --demo --farm``; never used by a real reservation).

The panel's Farm section (``vrdr_max.panel.farm_section``) drives ``reservation`` from a worker.

Nothing here is imported by ``import vrdr_max`` or ``vrdr --help``: the models need pydantic.
"""
