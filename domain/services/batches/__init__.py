"""Jobs made together: variants of a job's storyboard, templates with merge fields, batches.

- ``storyboard``: storing a job whose scenes are given (no planner call), shared by both;
- ``variants``: ``createVariants`` (unchanged scenes keep their stored images and clips);
- ``templates``: ``saveJobTemplate``; ``rows``: ``createJobsFromTemplate`` (and from CSV);
- ``progress``: a batch's counts.
"""

from __future__ import annotations
