"""HTMX events the server announces with HX-Trigger. Names live here, nowhere else."""

PROJECT_TAGGED = "project.tagged"
PROJECT_SCREENED = "project.screened"
