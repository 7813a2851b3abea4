from passerelle.cli import app

app(prog_name="passerelle")
