"""The Streaming API over CometD: Bayeux sessions and the /cometd endpoint."""
