from django_tasks_db.management.commands.db_worker import Command as DatabaseWorker


class Command(DatabaseWorker):
    help = (
        "Run the background jobs (linkage runs, and the long work to come) from the database "
        "queue: `unseen worker`. `make demo` starts one beside the server; run one or more beside "
        "gunicorn in production. `--batch` runs what is queued, then exits. Stopped with SIGTERM, "
        "it finishes the job in hand first (a second SIGTERM stops that job, which then fails)."
    )
