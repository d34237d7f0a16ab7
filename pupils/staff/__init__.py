"""Staff sign-in, the second factor, sessions, throttling and account changes.

A subpackage of ``pupils``, not an app of its own: the product owner fixed
the top-level folders (``config``, ``pupils``, ``providers``, ``consent``,
``sharing``), and this code is about the people ``pupils`` already models
(``StaffProfile``). The table it needs, ``StaffSession``, stays a model of
the pupils app (``pupils.models.staff``, migration pupils 0004), so no table
or migration moves.

- ``signin``: the password and second-factor steps (views of the staff site);
- ``mfa``: the authenticator app and recovery codes;
- ``sessions``: the session store (``SESSION_ENGINE``) and ``end_sessions``;
- ``middleware``: ``StaffSessionMiddleware`` (second factor, time limits)
  and ``StaffOTPMiddleware`` (django-otp's, the device read with the user);
- ``backends``: ``StaffBackend`` (the sign-in backend; what every signed-in
  request reads, folded into few queries);
- ``throttle``: failed sign-ins slowed down (policies in ``pupils.ratelimit``);
- ``trail``: sign-in, failure and sign-out entries in the audit trail;
- ``accounts``: services that change a staff account and end its sessions;
- ``admin``: the user admin, calling ``accounts`` (loaded by pupils.admin).
"""
