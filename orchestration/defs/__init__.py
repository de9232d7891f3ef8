"""Building blocks of the Definitions: assets, partitions, resources, jobs, schedules and sensors."""
