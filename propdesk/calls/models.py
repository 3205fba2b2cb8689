"""The office's phone calls as its phone system reports them: ring time (FD-1) and missed calls
to call back."""
