"""IKOTAN scoring (DOMAIN.md §3): the method, reading its inputs, and writing snapshots.

- `method`: pure functions from approved values to indices and categories;
- `inputs`: reads approved values and editions from the database for `method`;
- `recompute`: snapshots per period × edition, recompute requests and their queueing.
"""
