"""The one seam to Salesforce: the only package that imports simple_salesforce."""
